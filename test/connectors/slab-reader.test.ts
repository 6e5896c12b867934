import { createHash, randomBytes } from 'node:crypto';
import { createServer, Socket, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { handBack } from '../../electron/core/connectors/lent-chunks';
import { SlabReader } from '../../electron/core/connectors/ftp/slab-reader';

/**
 * The FTP download's reused read memory (electron/core/connectors/ftp/slab-reader.ts) over real TCP
 * connections on 127.0.0.1: what a consumer receives must be exactly what was sent, whether it hands its
 * chunks back late, early or never, and the memory must really be reused (else the first test proves nothing).
 */
const md5 = (b: Buffer | Buffer[]) => [b].flat().reduce((h, x) => h.update(x), createHash('md5')).digest('hex');
const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** A server that sends `data` to each connection (in `piece`-sized writes) and closes it. */
async function sender(data: Buffer, piece = 256 * 1024): Promise<number> {
  const srv = createServer((sock) => {
    let at = 0;
    const more = () => {
      while (at < data.length) {
        const ok = sock.write(data.subarray(at, at + piece));
        at += piece;
        if (!ok) return void sock.once('drain', more);
      }
      sock.end();
    };
    more();
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return (srv.address() as { port: number }).port;
}

/** Connects through a SlabReader; `consume` gets each chunk, `startAfterMs` delays the sink (chunks come early). */
function receive(port: number, consume: (chunk: Buffer, socket: Socket) => void, startAfterMs = 0): Promise<void> {
  const reader = new SlabReader();
  const socket = reader.newSocket();
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => {
      reader.close();
      resolve();
    });
    socket.connect(port, '127.0.0.1', () => {
      setTimeout(() => {
        reader.start((c) => consume(c, socket));
        socket.resume();
      }, startAfterMs);
    });
  });
}

describe('slab reader (reused read memory of FTP downloads)', () => {
  it('delivers every byte exactly while chunks handed back late are reused for later reads', async () => {
    const data = randomBytes(24 * 1024 * 1024);
    const port = await sender(data);
    const copies: Buffer[] = [];
    const memory = new Set<ArrayBufferLike>();
    let chunks = 0;
    const pending: Buffer[] = [];
    await receive(port, (chunk, socket) => {
      chunks++;
      memory.add(chunk.buffer);
      pending.push(chunk);
      // A consumer that holds a few chunks before it has "written" them (a copy here) and hands them back a
      // tick later, pausing the socket meanwhile as a writer's backpressure does. Without the pause, how many
      // slabs fill before the hand-back depends on the machine's load (15 of 24 were seen on a busy one).
      if (pending.length === 4) {
        socket.pause();
        setImmediate(() => {
          for (const c of pending.splice(0)) {
            copies.push(Buffer.from(c));
            handBack(c);
          }
          socket.resume();
        });
      }
    });
    for (const c of pending.splice(0)) copies.push(Buffer.from(c));
    expect(md5(Buffer.concat(copies))).toBe(md5(data));
    // 24 MiB arrived in 1 MiB slabs: far fewer distinct memory blocks than 24 means they were reused.
    expect(chunks).toBeGreaterThan(24);
    expect(memory.size).toBeLessThan(12);
  });

  it('a chunk never handed back keeps its memory: what the consumer holds stays as it arrived', async () => {
    const data = randomBytes(8 * 1024 * 1024);
    const port = await sender(data);
    const held: Buffer[] = [];
    await receive(port, (chunk) => held.push(chunk));
    // Read after everything arrived: had any slab been reused under them, these views would hold later bytes.
    expect(md5(held)).toBe(md5(data));
    expect(new Set(held.map((c) => c.buffer)).size).toBeGreaterThanOrEqual(8);
  });

  it('chunks that arrive before the consumer is there are kept, in order, and the socket waits for it', async () => {
    const data = randomBytes(3 * 1024 * 1024);
    const port = await sender(data, 16 * 1024);
    const held: Buffer[] = [];
    await receive(port, (chunk) => held.push(chunk), 100);
    expect(md5(held)).toBe(md5(data));
  });

  it('a consumer that pauses the socket (backpressure) still gets every byte in order', async () => {
    const data = randomBytes(6 * 1024 * 1024);
    const port = await sender(data);
    const copies: Buffer[] = [];
    await receive(port, (chunk, socket) => {
      copies.push(Buffer.from(chunk));
      socket.pause();
      setTimeout(() => {
        handBack(chunk);
        socket.resume();
      }, 1);
    });
    expect(md5(copies)).toBe(md5(data));
  });
});
