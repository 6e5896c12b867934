import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, for tests of a connection that breaks mid-stream:
 * it counts the bytes relayed (both ways), can hold all traffic once `holdAfterBytes` have passed (so a
 * test acts in the middle of a transfer, whatever the machine's speed), cut every connection (both sockets
 * destroyed, as when a network path dies), and stop accepting new ones (so a retry cannot get through).
 */
export interface TcpProxy {
  port: number;
  /** Bytes relayed so far, both directions. */
  readonly bytes: number;
  /** Resolves once traffic is held (holdAfterBytes reached). */
  held: Promise<void>;
  /** Lets held traffic flow again and stops holding. */
  release(): void;
  /** Destroys every open connection, both sides. */
  cut(): void;
  /** Refuses new connections from now on (open ones stay). */
  refuseNew(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, opts: { holdAfterBytes?: number } = {}): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let bytes = 0;
  let holding = false;
  let releasedForGood = false;
  let onHeld: () => void = () => {};
  const held = new Promise<void>((r) => (onHeld = r));
  const pauseAll = () => pairs.forEach(([a, b]) => (a.pause(), b.pause()));

  const relay = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      to.write(chunk);
      if (!holding && !releasedForGood && opts.holdAfterBytes !== undefined && bytes >= opts.holdAfterBytes) {
        holding = true;
        pauseAll();
        onHeld();
      } else if (holding) from.pause();
    });
    from.on('end', () => to.end());
    from.on('error', () => to.destroy());
    from.on('close', () => to.destroy());
  };

  let accepting = true;
  const server: Server = createServer((client) => {
    if (!accepting) return client.destroy();
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const forget = () => pairs.delete(pair);
    client.on('close', forget);
    relay(client, upstream);
    relay(upstream, client);
    if (holding) {
      client.pause();
      upstream.pause();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const cut = () => {
    pairs.forEach(([a, b]) => (a.destroy(), b.destroy()));
    pairs.clear();
  };
  return {
    port,
    get bytes() {
      return bytes;
    },
    held,
    release() {
      holding = false;
      releasedForGood = true;
      pairs.forEach(([a, b]) => (a.resume(), b.resume()));
    },
    cut,
    refuseNew: async () => {
      accepting = false;
    },
    async close() {
      accepting = false;
      cut();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
