import { execFileSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ftpManifest, type FtpConnector } from '../../electron/core/connectors/ftp';
import type { FtpClient } from '../../electron/core/connectors/ftp/connect';
import { FerryError } from '../../electron/core/errors';
import { FileTrustStore } from '../../electron/core/trust/file-trust-store';
import { collect, put, randomData, readAll } from '../conformance/helpers';
import { readLog, startFtpServer, type FtpServer } from '../servers/ftp';
import { tempDir } from '../support/temp';

/**
 * No FTP call may wait for ever: a ranged read that ends at the file's end finishes whatever order the
 * server's final reply and the last data arrive in (previews make many such reads), and a server that stops
 * answering (on the control connection, or in the middle of the data) becomes a retryable TIMEOUT naming the
 * host and the operation, after the profile's timeout (1-2 s here), not a hang.
 */
const trustDir = tempDir('ferry-ftp-timeout-trust-');
const log = { debug() {}, info() {}, warn() {} };
const connectTo = (host: string, port: number, opts: { password?: string; user?: string; timeoutSec?: number } = {}) =>
  ftpManifest.connect({
    profile: { id: `ftp-timeout-${port}`, name: 'ftp', options: { host, port, user: opts.user ?? 'ferryftp', maxConnections: 1, connectTimeoutSec: opts.timeoutSec ?? 1 } },
    secret: async () => opts.password ?? 'x',
    trust: new FileTrustStore(trustDir.path, null),
    log,
    connectionBudget: 1,
  }) as Promise<FtpConnector>;

/** `p`, or a failure saying what hung: a test must never sit out vitest's own timeout. */
const within = <T>(ms: number, what: string, p: Promise<T>): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms))]);

/** How a promise settles, and how long it took. */
async function outcome(p: Promise<unknown>): Promise<{ error: FerryError | undefined; ms: number }> {
  const t0 = Date.now();
  try {
    await p;
    return { error: undefined, ms: Date.now() - t0 };
  } catch (e) {
    return { error: e as FerryError, ms: Date.now() - t0 };
  }
}

afterAll(() => trustDir.cleanup());

describe('a server that accepts and never answers', () => {
  let silent: Server;
  const held: Socket[] = [];
  beforeAll(async () => {
    silent = createServer((s) => {
      held.push(s); // accepted, never a byte back
      s.on('error', () => {});
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('connecting fails with a retryable TIMEOUT naming host and port after the timeout', async () => {
    const port = (silent.address() as { port: number }).port;
    const { error, ms } = await outcome(within(15_000, 'connect', connectTo('127.0.0.1', port, { timeoutSec: 1 })));
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true, detail: { host: '127.0.0.1', port } });
    expect(error!.message).toContain(`127.0.0.1:${port}`);
    expect(error!.message).toMatch(/connect/);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(10_000);
  });
});

describe('a vsftpd that stops answering (its processes stopped with SIGSTOP)', () => {
  let srv: FtpServer;
  let c: FtpConnector;
  let stopped: number[] = [];

  /** The listener of the server's plain instance and every session process it forked. */
  const serverProcesses = () => {
    const conf = join(dirname(srv.info.logFile), 'plain.conf');
    const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)!)
      .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
    const root = rows.find((r) => r.args === `/usr/sbin/vsftpd ${conf}`);
    if (!root) throw new Error(`no vsftpd process for ${conf}`);
    const out = [root.pid];
    for (let i = 0; i < out.length; i++) for (const r of rows) if (r.ppid === out[i]) out.push(r.pid);
    return out;
  };
  const freeze = () => {
    stopped = serverProcesses();
    for (const pid of stopped) process.kill(pid, 'SIGSTOP');
  };
  const thaw = () => {
    for (const pid of stopped.splice(0)) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        /* gone */
      }
    }
  };

  beforeAll(async () => {
    srv = await startFtpServer({ implicit: false });
    // 2 s: short for a test, long enough that a busy CI machine is not mistaken for a silent server.
    c = await connectTo(srv.info.host, srv.info.port, { user: srv.info.user, password: srv.info.password, timeoutSec: 2 });
    await put(c, '/big.bin', randomData(32 * 1024 * 1024));
    await put(c, '/small.txt', 'hello');
  });
  afterEach(thaw);
  afterAll(async () => {
    thaw();
    await c?.close();
    await srv?.stop();
  });

  it('a reply that never comes: stat fails with TIMEOUT (host, path, operation), and the connector works again afterwards', async () => {
    freeze();
    const { error, ms } = await outcome(within(15_000, 'stat', c.stat('/small.txt')));
    thaw();
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true, detail: { host: srv.info.host, port: srv.info.port, path: '/small.txt' } });
    expect(error!.message).toContain(`"/small.txt" on ${srv.info.host}:${srv.info.port}`);
    expect(error!.message).toMatch(/look up/);
    expect(ms).toBeLessThan(10_000);
    expect((await within(15_000, 'stat after', c.stat('/small.txt'))).size).toBe(5);
  });

  it('data that stops mid-file: the read fails with TIMEOUT (not a hang), and the connector works again afterwards', async () => {
    const stream = await within(15_000, 'open', c.read('/big.bin'));
    await new Promise((resolve) => stream.once('data', resolve));
    freeze();
    const { error, ms } = await outcome(within(20_000, 'read', collect(stream)));
    thaw();
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true, detail: { host: srv.info.host, path: '/big.bin' } });
    expect(error!.message).toMatch(/read "\/big\.bin" on .*data/);
    expect(ms).toBeLessThan(15_000);
    expect((await within(15_000, 'read after', readAll(c, '/small.txt'))).toString()).toBe('hello');
  });

  it('a data connection whose end never arrives (the final reply did): the read fails with TIMEOUT, not a hang', async () => {
    await c.stat('/small.txt'); // a connection sits idle in the pool
    const client = (c as unknown as { pool: { idle: FtpClient[] } }).pool.idle[0];
    let armed = true;
    client.onDataSocket((socket) => {
      if (!armed) return;
      armed = false;
      // Every byte and the server's 226 arrive; the data connection's end (its FIN) never reaches the reader.
      const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
      socket.emit = ((event: string | symbol, ...args: unknown[]) => (event === 'end' ? true : emit(event, ...args))) as typeof socket.emit;
    });
    const { error, ms } = await outcome(within(15_000, 'read', readAll(c, '/small.txt')));
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true, detail: { host: srv.info.host, path: '/small.txt' } });
    expect(ms).toBeLessThan(10_000);
    expect((await within(15_000, 'read after', readAll(c, '/small.txt'))).toString()).toBe('hello');
  });

  it('a reader that holds the stream paused longer than the timeout is not timed out (only silence while flowing counts)', async () => {
    const stream = await within(15_000, 'open', c.read('/big.bin', { start: 0, end: 8 * 1024 * 1024 }));
    await new Promise((resolve) => stream.once('data', resolve));
    stream.pause();
    await new Promise((r) => setTimeout(r, 5000)); // more than twice the timeout
    const rest = await within(20_000, 'paused read', collect(stream));
    expect(rest.length).toBeGreaterThan(0);
  });
});

describe('ranged reads that end at the end of the file', () => {
  let srv: FtpServer;
  let c: FtpConnector;
  const data = randomData(300_000);
  beforeAll(async () => {
    srv = await startFtpServer({ implicit: false });
    c = await connectTo(srv.info.host, srv.info.port, { user: srv.info.user, password: srv.info.password, timeoutSec: 30 });
    await put(c, '/edge.bin', data);
  });
  afterAll(async () => {
    await c?.close();
    await srv?.stop();
  });
  const logins = () => readLog(srv.info.logFile).split('\n').filter((l) => /FTP command: Client "[^"]+", "USER /.test(l)).length;

  it('finish even when the server\'s final reply overtakes the last data (as on a loaded machine), on the same connection', async () => {
    // The connector's one connection (maxConnections 1): its data connections deliver their bytes late,
    // so the 226 is always read before the last bytes, the order a busy machine produces now and then.
    const client = (c as unknown as { pool: { idle: FtpClient[] } }).pool.idle[0];
    client.onDataSocket((socket) => {
      const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
      let queue = Promise.resolve();
      socket.emit = ((event: string | symbol, ...args: unknown[]) => {
        if (event !== 'data' && event !== 'end') return emit(event, ...args);
        queue = queue.then(() => new Promise<void>((r) => setTimeout(r, 40))).then(() => void emit(event, ...args));
        return true;
      }) as typeof socket.emit;
    });
    const before = logins();
    for (let k = 0; k < 10; k++) {
      // Exactly to the end, past it, and the whole file: each must end, and hand the connection back.
      const a = await within(10_000, `range to EOF #${k}`, readAll(c, '/edge.bin', { start: 299_000 - k, end: 300_000 }));
      expect(a.equals(data.subarray(299_000 - k))).toBe(true);
      const b = await within(10_000, `range past EOF #${k}`, readAll(c, '/edge.bin', { start: 299_990, end: 400_000 }));
      expect(b.equals(data.subarray(299_990))).toBe(true);
    }
    expect((await within(10_000, 'whole file', readAll(c, '/edge.bin'))).equals(data)).toBe(true);
    expect((await within(10_000, 'stat', c.stat('/edge.bin'))).size).toBe(data.length);
    expect(logins()).toBe(before);
  });

  it('many small ranged reads at the end of the file, as previews make them, all finish', async () => {
    for (let k = 0; k < 100; k++) {
      const start = data.length - 1 - (k % 50);
      const got = await within(10_000, `read #${k}`, readAll(c, '/edge.bin', { start, end: data.length }));
      expect(got.equals(data.subarray(start))).toBe(true);
    }
  });
});
