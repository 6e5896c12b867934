import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance } from '../conformance/suite';
import { expectCode, put, randomData, readAll } from '../conformance/helpers';
import { ftpManifest, ftpsManifest, type FtpConnector } from '../../electron/core/connectors/ftp';
import type { ConnectContext } from '../../electron/core/connectors/types';
import { FerryError } from '../../electron/core/errors';
import { FileTrustStore } from '../../electron/core/trust/file-trust-store';
import type { OptionValues } from '../../shared/profiles';
import { server } from '../support/servers';
import { expectCrashMidDownloadRecovers } from './ftp-crash';
import { tempDir } from '../support/temp';
import { readLog, startFtpServer, type FtpServer, type FtpServerInfo } from '../servers/ftp';

const info = () => {
  const s = server<FtpServerInfo>('ftp');
  if (!s) throw new Error('the ftp test server (vsftpd) did not start');
  return s;
};

const dirs: Array<{ cleanup(): void }> = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));

/** A trust store of its own (FERRY_HOME/known_certs), so each test starts knowing no certificate. */
function newTrust(): FileTrustStore {
  const d = tempDir('ferry-ftps-trust-');
  dirs.push(d);
  return new FileTrustStore(d.path, null);
}

function context(options: OptionValues, trust: FileTrustStore, extra: Partial<ConnectContext> = {}): ConnectContext {
  return {
    profile: { id: 'test-ftps', name: 'vsftpd', options },
    secret: async (name) => (name === 'password' ? info().password : undefined),
    trust,
    log: { debug() {}, info() {}, warn() {} },
    ...extra,
  };
}

type Mode = 'explicit' | 'implicit';
const portOf = (s: FtpServerInfo, tls: Mode) => (tls === 'implicit' ? s.implicitPort : s.port);
const connectTo = (s: FtpServerInfo, tls: Mode, trust: FileTrustStore, extra: Partial<ConnectContext> = {}) =>
  ftpsManifest.connect(context({ host: s.host, port: portOf(s, tls), user: s.user, tls }, trust, extra)) as Promise<FtpConnector>;

async function failure(action: () => Promise<unknown>): Promise<FerryError> {
  try {
    await action();
  } catch (e) {
    expect(e).toBeInstanceOf(FerryError);
    return e as FerryError;
  }
  throw new Error('expected a failure, but it succeeded');
}

for (const tls of ['explicit', 'implicit'] as const) {
  // The suite's connector trusts the test server's certificate the way a user does: by its fingerprint.
  describeConformance(tls === 'explicit' ? 'ftps' : 'ftps-implicit', async () => {
    const trust = newTrust();
    return {
      connect: () => connectTo(info(), tls, trust, { acceptFingerprint: info().certFingerprint }),
      root: '/',
      capabilities: ftpsManifest.capabilities,
      // Implicit TLS differs from explicit only in how the connection starts; everything after is the same code.
      ...(tls === 'implicit'
        ? { exemptions: { 'list: more entries than one page': 'runs for explicit TLS (ftps); 1,100 TLS uploads again would add ~40 s on this machine for the same code path' } }
        : {}),
    };
  });
}

describe('ftps certificate trust (a vsftpd of its own)', () => {
  let srv: FtpServer;
  beforeAll(async () => {
    srv = await startFtpServer();
  });
  afterAll(() => srv?.stop());

  for (const tls of ['explicit', 'implicit'] as const) {
    it(`${tls}: an unknown self-signed certificate is HOST_KEY_UNKNOWN with openssl's fingerprint, and no USER/PASS is sent`, async () => {
      const log = tls === 'implicit' ? srv.info.implicitLogFile : srv.info.logFile;
      const before = readLog(log).length;
      const err = await failure(() => connectTo(srv.info, tls, newTrust()));
      expect(err.code).toBe('HOST_KEY_UNKNOWN');
      expect(err.detail).toMatchObject({ kind: 'tls', host: '127.0.0.1', port: portOf(srv.info, tls), keyType: 'x509', fingerprint: srv.info.certFingerprint });
      // The detail carries the certificate itself, so the UI can pin exactly what was shown.
      expect(new X509Certificate(Buffer.from(String(err.detail?.key), 'base64')).toString()).toBe(new X509Certificate(srv.info.certPem).toString());
      await new Promise((r) => setTimeout(r, 200)); // vsftpd's session process writes its log
      const session = readLog(log).slice(before);
      expect(session).toContain('CONNECT: Client "127.0.0.1"');
      if (tls === 'explicit') expect(session).toContain('"AUTH TLS"');
      expect(session).not.toMatch(/"USER |"PASS /);
    });
  }

  it('acceptFingerprint pins the certificate; later connections need nothing', async () => {
    const trust = newTrust();
    const wrong = await failure(() => connectTo(srv.info, 'explicit', trust, { acceptFingerprint: 'SHA256:' + 'A'.repeat(43) }));
    expect(wrong.code).toBe('HOST_KEY_UNKNOWN');
    const c = await connectTo(srv.info, 'explicit', trust, { acceptFingerprint: srv.info.certFingerprint });
    await c.close();
    expect(trust.list()).toEqual([{ kind: 'tls', host: '127.0.0.1', port: srv.info.port, keyType: 'x509', fingerprint: srv.info.certFingerprint }]);
    const again = await connectTo(srv.info, 'explicit', trust);
    try {
      await put(again, '/pinned.txt', 'over TLS');
      expect((await readAll(again, '/pinned.txt')).toString()).toBe('over TLS');
    } finally {
      await again.close();
    }
  });

  it('a changed certificate is HOST_KEY_CHANGED (both fingerprints named) and nothing is sent before refusing', async () => {
    const trust = newTrust();
    (await connectTo(srv.info, 'explicit', trust, { acceptFingerprint: srv.info.certFingerprint })).close();
    const pinned = srv.info.certFingerprint;
    await srv.restart({ newCertificate: true });
    expect(srv.info.certFingerprint).not.toBe(pinned);
    const before = readLog(srv.info.logFile).length;
    // Accepting a fingerprint up front never overrides a changed certificate.
    const err = await failure(() => connectTo(srv.info, 'explicit', trust, { acceptFingerprint: srv.info.certFingerprint }));
    expect(err.code).toBe('HOST_KEY_CHANGED');
    expect(err.detail).toMatchObject({ kind: 'tls', fingerprint: srv.info.certFingerprint, pinnedFingerprint: pinned });
    expect(err.message).toContain(`127.0.0.1:${srv.info.port}`);
    await new Promise((r) => setTimeout(r, 200));
    expect(readLog(srv.info.logFile).slice(before)).not.toMatch(/"USER |"PASS /);
  });

  it('the same profile as type "ftp" with tls=explicit is verified the same way', async () => {
    const err = await failure(() =>
      ftpManifest.connect(context({ host: srv.info.host, port: srv.info.port, user: srv.info.user, tls: 'explicit' }, newTrust())),
    );
    expect(err.code).toBe('HOST_KEY_UNKNOWN');
  });

  it('type "ftps" refuses tls=none', async () => {
    await expectCode(() => ftpsManifest.connect(context({ host: srv.info.host, port: srv.info.port, tls: 'none' }, newTrust())), 'INVALID_INPUT');
  });
});

describe('ftps against a strict vsftpd (TLS required for login and data, TLS session reuse required)', () => {
  let srv: FtpServer;
  beforeAll(async () => {
    srv = await startFtpServer({
      settings: { require_ssl_reuse: 'YES', force_local_logins_ssl: 'YES', force_local_data_ssl: 'YES' },
    });
  });
  afterAll(() => srv?.stop());

  for (const tls of ['explicit', 'implicit'] as const) {
    it(`${tls}: data connections resume the control connection's TLS session (uploads, downloads, listings work)`, async () => {
      const trust = newTrust();
      const c = await connectTo(srv.info, tls, trust, { acceptFingerprint: srv.info.certFingerprint });
      try {
        const data = randomData(2 * 1024 * 1024);
        const dir = `/strict-${tls}`;
        await c.mkdir(dir);
        await Promise.all([0, 1, 2, 3, 4, 5].map((i) => put(c, `${dir}/f${i}.bin`, data)));
        expect((await c.list(dir)).map((e) => e.name).sort()).toEqual(['f0.bin', 'f1.bin', 'f2.bin', 'f3.bin', 'f4.bin', 'f5.bin']);
        expect((await readAll(c, `${dir}/f3.bin`, { start: 1000, end: 5000 })).equals(data.subarray(1000, 5000))).toBe(true);
        expect((await readAll(c, `${dir}/f5.bin`)).equals(data)).toBe(true);
      } finally {
        await c.close();
      }
    });
  }

  it('a server crash mid-download is a retryable CONNECTION_LOST; after a restart the same connector goes on', async () => {
    await expectCrashMidDownloadRecovers(await connectTo(srv.info, 'explicit', newTrust(), { acceptFingerprint: srv.info.certFingerprint }), srv);
  });

  it('plain FTP is refused by this server (so the test above means TLS was used)', async () => {
    const err = await failure(() => ftpManifest.connect(context({ host: srv.info.host, port: srv.info.port, user: srv.info.user, tls: 'none' }, newTrust())));
    expect(err.code).toBe('AUTH_FAILED');
  });
});

describe('ftps against a server without TLS', () => {
  let srv: FtpServer;
  beforeAll(async () => {
    srv = await startFtpServer({ implicit: false, settings: { ssl_enable: 'NO' } });
  });
  afterAll(() => srv?.stop());

  it('explicit TLS is TLS_ERROR when the server does not offer AUTH TLS, before any login', async () => {
    const err = await failure(() => connectTo(srv.info, 'explicit', newTrust()));
    expect(err.code).toBe('TLS_ERROR');
    expect(err.message).toContain(`127.0.0.1:${srv.info.port}`);
  });
});
