import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeConformance } from '../conformance/suite';
import { collect, expectCode, inParallel, put, randomData, readAll, streamOf } from '../conformance/helpers';
import { ftpManifest, type FtpConnector } from '../../electron/core/connectors/ftp';
import { finalFacts } from '../../electron/core/connectors/final-facts';
import { lend } from '../../electron/core/connectors/lent-chunks';
import { localManifest, type LocalConnector } from '../../electron/core/connectors/local';
import type { ConnectContext } from '../../electron/core/connectors/types';
import { FerryError } from '../../electron/core/errors';
import { FileTrustStore } from '../../electron/core/trust/file-trust-store';
import type { OptionValues } from '../../shared/profiles';
import { freePort } from '../support/ports';
import { server } from '../support/servers';
import { expectCrashMidDownloadRecovers } from './ftp-crash';
import { tempDir } from '../support/temp';
import { startFtpServer, type FtpServer, type FtpServerInfo } from '../servers/ftp';

const info = () => {
  const s = server<FtpServerInfo>('ftp');
  if (!s) throw new Error('the ftp test server (vsftpd) did not start');
  return s;
};

const trustDir = tempDir('ferry-ftp-trust-');
afterAll(() => trustDir.cleanup());

/** A connect context as the core builds it: options from the profile, the password from the keychain. */
function context(options: OptionValues, password: string | undefined = info().password): ConnectContext {
  return {
    profile: { id: 'test-ftp', name: 'vsftpd', options },
    secret: async (name) => (name === 'password' ? password : undefined),
    trust: new FileTrustStore(trustDir.path, null),
    log: { debug() {}, info() {}, warn() {} },
  };
}

const plain = (s: Pick<FtpServerInfo, 'host' | 'port' | 'user'> = info(), extra: OptionValues = {}, password?: string) =>
  ftpManifest.connect(context({ host: s.host, port: s.port, user: s.user, ...extra }, password ?? info().password)) as Promise<FtpConnector>;

describeConformance('ftp', async () => ({
  connect: () => plain(),
  root: '/',
  capabilities: ftpManifest.capabilities,
}));

describe('ftp connector (vsftpd)', () => {
  let c: FtpConnector;
  let n = 0;
  beforeAll(async () => {
    c = await plain();
  });
  afterAll(() => c?.close());
  const fresh = async () => {
    const dir = `/ftp-specific-${process.pid}-${++n}`;
    await c.mkdir(dir);
    return dir;
  };

  it('refuses a wrong password with AUTH_FAILED, without the password in the message', async () => {
    const wrong = 'not-the-Secret-42';
    let error: unknown;
    try {
      await plain(info(), {}, wrong);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FerryError);
    const fe = error as FerryError;
    expect(fe.code).toBe('AUTH_FAILED');
    expect(fe.message).toContain(`${info().host}:${info().port}`);
    expect(JSON.stringify(fe.toData())).not.toContain(wrong);
    expect(fe.message).not.toContain(info().password);
  });

  it('asks for the password (SECRET_REQUIRED) when a named user has none', async () => {
    let error: unknown;
    try {
      await ftpManifest.connect({ ...context({ host: info().host, port: info().port, user: info().user }), secret: async () => undefined });
    } catch (e) {
      error = e;
    }
    expect((error as FerryError).code).toBe('SECRET_REQUIRED');
    expect((error as FerryError).detail).toMatchObject({ name: 'password' });
  });

  it('reports a closed port as CONNECTION_REFUSED, naming host:port', async () => {
    const port = await freePort();
    let error: unknown;
    try {
      await plain({ host: '127.0.0.1', port, user: info().user });
    } catch (e) {
      error = e;
    }
    expect((error as FerryError).code).toBe('CONNECTION_REFUSED');
    expect((error as FerryError).message).toContain(`127.0.0.1:${port}`);
  });

  it('keeps UTF-8 names byte for byte on the server disk', async () => {
    const dir = await fresh();
    const name = 'Grüße, 世界 – ñ.csv';
    await put(c, `${dir}/${name}`, 'utf8');
    // vsftpd writes names as it receives them: the local file must have the same UTF-8 name.
    expect(readFileSync(join(info().root, dir, name), 'utf8')).toBe('utf8');
    expect((await c.list(dir)).map((e) => e.name)).toEqual([name]);
  });

  it('with encoding latin1, names travel as Latin-1 bytes (old servers)', async () => {
    const dir = await fresh();
    const latin = await plain(info(), { encoding: 'latin1' });
    try {
      await put(latin, `${dir}/café.txt`, 'latin1');
      expect((await latin.list(dir)).map((e) => e.name)).toEqual(['café.txt']);
    } finally {
      await latin.close();
    }
    // On the server's disk the name is the single byte 0xE9 for "é", not UTF-8's two bytes.
    expect(readdirSync(join(info().root, dir), { encoding: 'buffer' })).toEqual([Buffer.from('caf\xe9.txt', 'latin1')]);
    // A UTF-8 client sees that byte as an invalid sequence, which is what Latin-1 servers show UTF-8 clients.
    expect((await c.list(dir)).map((e) => e.name)).not.toEqual(['café.txt']);
  });

  it('lists exact modification times (MDTM), not LIST’s minutes', async () => {
    const dir = await fresh();
    await put(c, `${dir}/old.txt`, 'old', { modified: new Date('2019-07-08T09:10:11Z') });
    const [entry] = await c.list(dir);
    expect(entry.modified).toBe('2019-07-08T09:10:11.000Z');
  });

  it('a folder that cannot be listed says why in plain words, asked in two round trips', async () => {
    const dir = await fresh();
    await put(c, `${dir}/file.txt`, 'x');
    const cases: Array<[string, string, string]> = [
      [`${dir}/new`, 'NOT_FOUND', `"${dir}/new" on ${info().host}:${info().port}: it does not exist`],
      [`${dir}/new/deeper`, 'NOT_FOUND', `the folder "${dir}/new" does not exist`],
      [`${dir}/file.txt`, 'NOT_A_DIRECTORY', 'it is a file, not a folder'],
      [`${dir}/file.txt/inside`, 'NOT_A_DIRECTORY', `"${dir}/file.txt" is a file`],
    ];
    for (const [path, code, words] of cases) {
      // Control-connection writes while listing (a copy lists its new destination folder before the first file).
      const write = vi.spyOn(Socket.prototype, 'write');
      const err = await c.list(path).catch((e: unknown) => e);
      const writes = write.mock.calls.filter(([chunk]) => typeof chunk === 'string' && /^[A-Z]{3,4}[ \r]/.test(chunk)).length;
      write.mockRestore();
      expect(err, path).toBeInstanceOf(FerryError);
      expect((err as FerryError).code, path).toBe(code);
      expect((err as FerryError).message, path).toContain(words);
      expect(writes, `${path}: CWD, then SIZE, parent SIZE and parent CWD in one write`).toBe(2);
    }
    // The connection is in step afterwards: the next commands get their own answers.
    expect((await c.list(dir)).map((e) => e.name)).toEqual(['file.txt']);
    expect((await c.stat(`${dir}/file.txt`)).size).toBe(1);
  });

  it('reads a range with an end, and the connections stay usable afterwards', async () => {
    const dir = await fresh();
    const data = randomData(3 * 1024 * 1024);
    await put(c, `${dir}/big.bin`, data);
    for (let i = 0; i < 6; i++) {
      const start = i * 100_000;
      expect((await readAll(c, `${dir}/big.bin`, { start, end: start + 70_000 })).equals(data.subarray(start, start + 70_000))).toBe(true);
    }
    expect((await readAll(c, `${dir}/big.bin`)).equals(data)).toBe(true);
    expect((await c.list(dir)).map((e) => e.name)).toEqual(['big.bin']);
  });

  it('downloads into local files arrive intact while their read memory is reused (several at once)', async () => {
    // Plain FTP reads a download into reused slabs that the local writer hands back once written
    // (connectors/ftp/slab-reader.ts): bytes handed back too early would show up here as wrong files.
    const dir = await fresh();
    const files = Array.from({ length: 4 }, (_, i) => ({ name: `m${i}.bin`, data: randomData(6 * 1024 * 1024 + i * 4099) }));
    await Promise.all(files.map((f) => put(c, `${dir}/${f.name}`, f.data)));
    const local = (await localManifest.connect({} as ConnectContext)) as LocalConnector;
    const into = tempDir('ferry-ftp-slabs-');
    try {
      for (let round = 0; round < 2; round++) {
        await Promise.all(files.map(async (f) => local.write(`${into.path}/${round}-${f.name}`, await c.read(`${dir}/${f.name}`))));
      }
      for (let round = 0; round < 2; round++) {
        for (const f of files) expect(readFileSync(join(into.path, `${round}-${f.name}`)).equals(f.data)).toBe(true);
      }
    } finally {
      into.cleanup();
    }
  });

  it('many small downloads into local files reuse their read memory instead of taking fresh memory per file', async () => {
    // Each file's data connection read into a slab that came back only if the reader heard the socket
    // close, which it never did (basic-ftp drops a data socket's listeners before destroying it): every
    // small file then left a 1 MiB slab to the garbage collector.
    const dir = await fresh();
    const files = Array.from({ length: 40 }, (_, i) => ({ name: `s${i}.bin`, data: randomData(16 * 1024 + i) }));
    await inParallel(files, 4, async (f) => {
      await put(c, `${dir}/${f.name}`, f.data);
    });
    const local = (await localManifest.connect({} as ConnectContext)) as LocalConnector;
    const into = tempDir('ferry-ftp-small-slabs-');
    const slabs = vi.spyOn(Buffer, 'allocUnsafeSlow');
    try {
      // One at a time, so that each file's memory has come back before the next file reads.
      for (const f of files) await local.write(`${into.path}/${f.name}`, await c.read(`${dir}/${f.name}`));
      const freshSlabs = slabs.mock.calls.filter(([n]) => n >= 64 * 1024).length;
      expect(freshSlabs).toBeLessThanOrEqual(2);
      for (const f of files) expect(readFileSync(join(into.path, f.name)).equals(f.data)).toBe(true);
    } finally {
      slabs.mockRestore();
      into.cleanup();
    }
  });

  it('an upload hands a lent chunk back only once the socket took it (memory scribbled then never reaches the server)', async () => {
    const dir = await fresh();
    const data = randomData(12 * 1024 * 1024 + 321);
    const chunks: Buffer[] = [];
    let back = 0;
    for (let at = 0; at < data.length; at += 1024 * 1024) {
      const chunk = Buffer.from(data.subarray(at, at + 1024 * 1024));
      // Reused memory, as a local read's next chunk would overwrite it: had the store handed it back before
      // the socket copied it, the server's file would hold these bytes.
      chunks.push(lend(chunk, () => (back++, chunk.fill(0x5a))));
    }
    await c.write(`${dir}/lent.bin`, Readable.from(chunks));
    expect(back).toBe(chunks.length);
    expect((await readAll(c, `${dir}/lent.bin`)).equals(data)).toBe(true);
  });

  it('stops a download when the reader destroys the stream, and goes on working', async () => {
    const dir = await fresh();
    const data = randomData(4 * 1024 * 1024);
    await put(c, `${dir}/cut.bin`, data);
    const stream = await c.read(`${dir}/cut.bin`);
    const first: Buffer = await new Promise((resolve) => stream.once('data', resolve));
    expect(first.equals(data.subarray(0, first.length))).toBe(true);
    stream.destroy();
    await put(c, `${dir}/after.txt`, 'after');
    expect((await readAll(c, `${dir}/after.txt`)).toString()).toBe('after');
  });

  it('writes and reads in parallel beyond maxConnections: the pool queues', async () => {
    const dir = await fresh();
    const files = Array.from({ length: 24 }, (_, i) => ({ name: `p${i}.bin`, data: randomData(20_000 + i) }));
    await Promise.all(files.map((f) => put(c, `${dir}/${f.name}`, f.data)));
    const back = await Promise.all(files.map((f) => readAll(c, `${dir}/${f.name}`)));
    back.forEach((b, i) => expect(b.equals(files[i].data)).toBe(true));
    expect((await c.list(dir)).length).toBe(files.length);
  });

  it('a whole read says what the file is once the server has read all of it (SIZE and MDTM before the last reply); a range says nothing', async () => {
    const dir = await fresh();
    await put(c, `${dir}/f.bin`, randomData(3_000_000));
    const stream = await c.read(`${dir}/f.bin`);
    stream.once('data', () => appendFileSync(join(info().root, dir, 'f.bin'), 'tail'));
    await collect(stream);
    expect(await finalFacts(stream)).toMatchObject({ type: 'file', size: 3_000_004, path: `${dir}/f.bin` });
    expect((await finalFacts(stream))!.modified).toMatch(/^\d{4}-\d\d-\d\dT/);
    const range = await c.read(`${dir}/f.bin`, { start: 0, end: 100 });
    expect((await collect(range)).length).toBe(100);
    expect(finalFacts(range)).toBeUndefined();
    // The control connections are in step: each reply was taken by the command it answers.
    for (let i = 0; i < 3; i++) expect((await c.stat(`${dir}/f.bin`)).size).toBe(3_000_004);
  });

  it('a whole read read more slowly than the server sends it still says what the file is (final reply before the data end)', async () => {
    const dir = await fresh();
    const data = randomData(1_100_000);
    await put(c, `${dir}/slow.bin`, data);
    const stream = await c.read(`${dir}/slow.bin`);
    // Nothing is read for a while: the stream's buffer (1 MiB) fills, the rest waits in the sockets, and
    // the server, done sending, answers the RETR before the caller has seen the data's end.
    await new Promise((r) => setTimeout(r, 400));
    expect((await collect(stream)).equals(data)).toBe(true);
    expect(await finalFacts(stream)).toMatchObject({ type: 'file', size: data.length, path: `${dir}/slow.bin` });
    for (let i = 0; i < 3; i++) expect((await c.stat(`${dir}/slow.bin`)).size).toBe(data.length);
    // The same, stopped by the caller before the end: the connection still goes back in step.
    const stopped = await c.read(`${dir}/slow.bin`);
    await new Promise((r) => setTimeout(r, 400));
    await new Promise<void>((resolve) => stopped.once('readable', () => (stopped.read(1000), stopped.destroy(), resolve())));
    for (let i = 0; i < 3; i++) expect((await c.stat(`${dir}/slow.bin`)).size).toBe(data.length);
    expect((await readAll(c, `${dir}/slow.bin`)).equals(data)).toBe(true);
  });

  it('resumes a write at an offset with REST+STOR', async () => {
    const dir = await fresh();
    const data = randomData(500_000);
    await put(c, `${dir}/r.bin`, data.subarray(0, 123_456));
    const result = await c.write(`${dir}/r.bin`, streamOf(data.subarray(123_456)), { offset: 123_456 });
    expect(result.size).toBe(data.length);
    expect((await readAll(c, `${dir}/r.bin`)).equals(data)).toBe(true);
    await expectCode(() => c.write(`${dir}/r.bin`, Readable.from([]), { offset: 600_000 }), 'INVALID_INPUT');
  });
});

describe('ftp connector against a server that allows 2 sessions per client', () => {
  let srv: FtpServer;
  beforeAll(async () => {
    srv = await startFtpServer({ implicit: false, settings: { max_per_ip: '2' } });
  });
  afterAll(() => srv?.stop());

  it('never opens more connections than maxConnections, however many operations run', async () => {
    const c = await plain(srv.info, { maxConnections: 2 });
    try {
      const names = Array.from({ length: 30 }, (_, i) => `q${i}.txt`);
      await inParallel(names, 30, async (name) => {
        await put(c, `/${name}`, name);
      });
      const entries = await c.list('/');
      expect(entries.map((e) => e.name).sort()).toEqual([...names].sort());
      const contents = await Promise.all(names.map(async (name) => (await collect(await c.read(`/${name}`))).toString()));
      expect(contents).toEqual(names);
    } finally {
      await c.close();
    }
  });

  it('the server really refuses a third session (so the test above means something)', async () => {
    await new Promise((r) => setTimeout(r, 300)); // the sessions of the test above end
    const a = await plain(srv.info, { maxConnections: 1 });
    const b = await plain(srv.info, { maxConnections: 1 });
    try {
      await expect(plain(srv.info, { maxConnections: 1 })).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('ftp connector when the server dies', () => {
  let srv: FtpServer;
  const local = tempDir('ferry-ftp-kill-');
  beforeAll(async () => {
    mkdirSync(local.path, { recursive: true });
    srv = await startFtpServer({ implicit: false });
  });
  afterAll(async () => {
    await srv?.stop();
    rmSync(local.path, { recursive: true, force: true });
  });

  it('a transfer cut by a server crash fails as a retryable CONNECTION_LOST, and works after a restart', async () => {
    await expectCrashMidDownloadRecovers(await plain(srv.info), srv);
  });
});
