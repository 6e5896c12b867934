import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, put, randomData, readAll } from '../conformance/helpers';
import { ftpManifest, type FtpConnector } from '../../electron/core/connectors/ftp';
import { FileTrustStore } from '../../electron/core/trust/file-trust-store';
import { readLog, startFtpServer, type FtpServer } from '../servers/ftp';
import { tempDir } from '../support/temp';

/**
 * How one FTP connection is used over many operations, read from vsftpd's protocol log on a server of this
 * file's own (the shared one's log mixes every test file's sessions): a ranged read that stops early leaves
 * the connection usable (no new login), and a connection set up once is not set up again per file.
 */
const trustDir = tempDir('ferry-ftp-session-trust-');
let srv: FtpServer;
let c: FtpConnector;

beforeAll(async () => {
  srv = await startFtpServer({ implicit: false });
  const i = srv.info;
  c = (await ftpManifest.connect({
    profile: { id: 'ftp-session', name: 'vsftpd', options: { host: i.host, port: i.port, user: i.user, maxConnections: 1 } },
    secret: async () => i.password,
    trust: new FileTrustStore(trustDir.path, null),
    log: { debug() {}, info() {}, warn() {} },
    connectionBudget: 1,
  })) as FtpConnector;
});
afterAll(async () => {
  await c?.close();
  await srv?.stop();
  trustDir.cleanup();
});

/** The commands the client sent, in order ("USER ferryftp", "RETR /a.bin"...). */
const commands = () =>
  readLog(srv.info.logFile)
    .split('\n')
    .map((l) => /FTP command: Client "[^"]+", "(.*)"$/.exec(l)?.[1])
    .filter((l): l is string => !!l);
const count = (verb: string) => commands().filter((l) => l.split(' ')[0] === verb).length;

describe('one FTP connection over many operations (vsftpd)', () => {
  it('ranged reads that stop before the end of a big file return the right bytes and keep the connection (no new login)', async () => {
    const data = randomData(24 * 1024 * 1024);
    await put(c, '/big.bin', data);
    const logins = count('USER');
    // Ranges the way a segmented download asks for them: each stops long before the server is done sending.
    for (const [start, end] of [[0, 1000], [5_000_000, 5_000_100], [1, 3 * 1024 * 1024], [20_000_000, 20_000_001]]) {
      const got = await readAll(c, '/big.bin', { start, end });
      expect(got.equals(data.subarray(start, end))).toBe(true);
    }
    // A reader that gives up after the first chunk.
    const early = await c.read('/big.bin');
    await new Promise((resolve) => early.once('data', resolve));
    early.destroy();
    // The same connection still answers in step: the whole file, then a stat.
    expect((await readAll(c, '/big.bin')).equals(data)).toBe(true);
    expect((await c.stat('/big.bin')).size).toBe(data.length);
    expect(count('USER')).toBe(logins);
  });

  it('a range that ends exactly at the end of the file and one past it both stop cleanly', async () => {
    const data = randomData(300_000);
    await put(c, '/edge.bin', data);
    expect((await readAll(c, '/edge.bin', { start: 299_000, end: 300_000 })).equals(data.subarray(299_000))).toBe(true);
    expect((await readAll(c, '/edge.bin', { start: 299_000, end: 400_000 })).equals(data.subarray(299_000))).toBe(true);
    expect((await collect(await c.read('/edge.bin'))).equals(data)).toBe(true);
  });

  it('per uploaded file: no TYPE, FEAT, PWD or CWD; the size for the verification comes with the upload (no stat), and the rename works', async () => {
    await c.mkdir('/up');
    const before = commands().length;
    const when = new Date('2024-01-02T03:04:05Z');
    for (let k = 0; k < 5; k++) {
      const written = await put(c, `/up/.f${k}.part`, `file ${k}`, { modified: when });
      // What the server holds, answered to the SIZE sent behind the upload: the engine verifies with it.
      expect(written).toMatchObject({ size: `file ${k}`.length, storedSize: `file ${k}`.length });
      await c.rename(`/up/.f${k}.part`, `/up/f${k}`);
    }
    const sent = commands().slice(before).map((l) => l.split(' ')[0]);
    for (const verb of ['TYPE', 'FEAT', 'PWD', 'CWD', 'USER']) expect(sent).not.toContain(verb);
    // EPSV, STOR, MDTM (set), SIZE, RNFR, RNTO: the stat (SIZE and MDTM) the engine made after each write is gone.
    expect(sent.length).toBe(5 * 6);
    const listed = await c.list('/up');
    expect(listed.map((e) => [e.name, e.size, e.modified])).toEqual(expect.arrayContaining([0, 1, 2, 3, 4].map((k) => [`f${k}`, `file ${k}`.length, when.toISOString()])));
  });

  it('refused transfers (EPSV sent together with STOR/RETR) leave the session in step: no new login, next transfers whole', async () => {
    await put(c, '/warm.txt', 'warm'); // the connection has settled on EPSV
    const logins = count('USER');
    for (let k = 0; k < 3; k++) {
      await expect(put(c, `/no-such-folder/f${k}`, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(c.read(`/missing-${k}.bin`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const data = randomData(70_000 + k);
      await put(c, `/ok${k}.bin`, data);
      expect((await readAll(c, `/ok${k}.bin`)).equals(data)).toBe(true);
      expect((await readAll(c, `/ok${k}.bin`, { start: 1000, end: 2000 })).equals(data.subarray(1000, 2000))).toBe(true);
    }
    expect(count('USER')).toBe(logins);
    // One EPSV per data connection: none sent twice for one transfer.
    const sent = commands();
    expect(sent.filter((l) => l.startsWith('EPSV')).length).toBe(sent.filter((l) => /^(STOR|RETR|LIST|MLSD) /.test(l)).length);
  });

  it('a listing of more files than one batch of MDTM commands has every time right', async () => {
    await c.mkdir('/many');
    const base = Date.UTC(2023, 4, 6, 7, 8, 0);
    for (let k = 0; k < 150; k++) await put(c, `/many/m${k}`, 'x', { modified: new Date(base + k * 1000) });
    const listed = await c.list('/many');
    expect(listed).toHaveLength(150);
    for (const e of listed) expect(e.modified).toBe(new Date(base + Number(e.name.slice(1)) * 1000).toISOString());
  });
});
