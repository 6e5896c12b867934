import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '../support/ports';

/**
 * vsftpd (Debian package) as the FTP/FTPS test server, started as root, one process per instance in the
 * foreground (`background=NO`), each with its own config file, certificate and log in a temp folder:
 *   - `port`: plain FTP and explicit TLS (AUTH TLS) on one port (force_local_logins_ssl=NO);
 *   - `implicitPort`: a second instance with implicit_ssl=YES (TLS from the first byte).
 * Logins are a system user (`ferryftp`, created idempotently) chrooted into `root`, a temp folder it owns.
 * The protocol log (log_ftp_protocol=YES) shows every command a client sent: tests read it to prove that
 * no USER/PASS reached a server whose certificate was refused.
 *
 * Tests that need a server of their own (a different certificate, a connection limit, killing it mid-transfer)
 * import startFtpServer() and stop what they start; the shared one must stay up for everyone else.
 */
export const name = 'ftp';

export const FTP_USER = 'ferryftp';
/** Test-only password of a test-only system user that can log in only to these local test servers. */
export const FTP_PASSWORD = 'ferry-ftp-test-pass';
const FTP_HOME = '/var/lib/ferryftp';

export interface FtpServerInfo {
  host: string;
  /** Plain FTP and explicit TLS. */
  port: number;
  /** Implicit TLS. */
  implicitPort: number;
  user: string;
  password: string;
  /** Local folder backing the FTP root "/" (owned by the FTP user; files the tests create there as root cannot be deleted over FTP). */
  root: string;
  /** `SHA256:<base64>` of the DER certificate, as `openssl x509 -fingerprint -sha256` computes it. */
  certFingerprint: string;
  certPem: string;
  /** vsftpd's protocol logs (commands and responses) of each instance. */
  logFile: string;
  implicitLogFile: string;
  [k: string]: unknown;
}

export interface FtpServerOptions {
  /** Serve this folder instead of a fresh temp one. */
  root?: string;
  /** Extra vsftpd settings for both instances (e.g. { max_per_ip: '2', require_ssl_reuse: 'YES' }). */
  settings?: Record<string, string>;
  /** Start the implicit TLS instance too (default true). */
  implicit?: boolean;
}

export interface FtpServer {
  info: FtpServerInfo;
  /** Stops both instances (and their session processes) and removes the temp folders. */
  stop(): Promise<void>;
  /** SIGKILLs both instances and every session process they forked (a crash mid-transfer); files stay. */
  kill(): Promise<void>;
  /**
   * Kills and starts both instances again on the same ports and root; with `newCertificate` they present a
   * freshly made certificate (info.certFingerprint/certPem are updated): a changed server certificate.
   */
  restart(opts?: { newCertificate?: boolean }): Promise<void>;
}

/** Creates the FTP system user once: a shell listed in /etc/shells (pam_shells), a home vsftpd can enter. */
export function ensureFtpUser(): void {
  try {
    execFileSync('id', [FTP_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--no-create-home', '--home-dir', FTP_HOME, '--shell', '/bin/sh', FTP_USER], { stdio: 'pipe' });
  }
  mkdirSync(FTP_HOME, { recursive: true });
  execFileSync('chown', [FTP_USER, FTP_HOME]);
  execFileSync('chpasswd', { input: `${FTP_USER}:${FTP_PASSWORD}\n` });
}

/** A self-signed certificate for 127.0.0.1 and its fingerprint as openssl reports it. */
export function makeCertificate(dir: string, commonName = '127.0.0.1'): { certPath: string; keyPath: string; certPem: string; fingerprint: string } {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '3',
    '-subj', `/CN=${commonName}`, '-addext', `subjectAltName=IP:${commonName}`,
  ], { stdio: 'pipe' });
  return { certPath, keyPath, certPem: readFileSync(certPath, 'utf8'), fingerprint: opensslFingerprint(certPath) };
}

/** `openssl x509 -fingerprint -sha256` ("AB:CD:...") converted to OpenSSH's "SHA256:<base64>" notation. */
export function opensslFingerprint(certPath: string): string {
  const out = execFileSync('openssl', ['x509', '-in', certPath, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
  const hex = out.trim().split('=')[1].replace(/:/g, '');
  return 'SHA256:' + Buffer.from(hex, 'hex').toString('base64').replace(/=+$/, '');
}

interface Instance {
  configFile: string;
  port: number;
  child?: ChildProcess;
  exited?: Promise<void>;
}

export async function startFtpServer(opts: FtpServerOptions = {}): Promise<FtpServer> {
  ensureFtpUser();
  const dir = mkdtempSync(join(tmpdir(), 'ferry-vsftpd-'));
  // mkdtemp makes it 0700; the FTP user must be able to walk into its root below it.
  chmodSync(dir, 0o755);
  const root = opts.root ?? join(dir, 'root');
  mkdirSync(root, { recursive: true });
  chownSync(root, Number(execFileSync('id', ['-u', FTP_USER], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', FTP_USER], { encoding: 'utf8' })));
  // vsftpd's secure_chroot_dir: empty, owned by root, not writable by anyone else.
  const empty = join(dir, 'empty');
  mkdirSync(empty, { mode: 0o755 });
  let cert = makeCertificate(dir);

  const instances: Instance[] = [];
  const add = async (label: string, implicit: boolean) => {
    const port = await freePort();
    // A random passive range below Linux's ephemeral ports; vsftpd retries another port if one is taken.
    const pasvMin = 20000 + Math.floor(Math.random() * 120) * 100;
    const settings: Record<string, string> = {
      listen: 'YES', listen_address: '127.0.0.1', listen_port: String(port), background: 'NO',
      anonymous_enable: 'NO', local_enable: 'YES', write_enable: 'YES', local_umask: '022',
      chroot_local_user: 'YES', allow_writeable_chroot: 'YES', local_root: root, secure_chroot_dir: empty,
      seccomp_sandbox: 'NO', isolate: 'NO', isolate_network: 'NO', pam_service_name: 'vsftpd',
      pasv_enable: 'YES', pasv_address: '127.0.0.1', pasv_min_port: String(pasvMin), pasv_max_port: String(pasvMin + 99),
      utf8_filesystem: 'YES',
      ssl_enable: 'YES', rsa_cert_file: cert.certPath, rsa_private_key_file: cert.keyPath,
      require_ssl_reuse: 'NO', force_local_logins_ssl: 'NO', force_local_data_ssl: 'NO', implicit_ssl: implicit ? 'YES' : 'NO',
      xferlog_enable: 'YES', log_ftp_protocol: 'YES', vsftpd_log_file: join(dir, `${label}.log`),
      ...opts.settings,
    };
    const configFile = join(dir, `${label}.conf`);
    writeFileSync(configFile, Object.entries(settings).map(([k, v]) => `${k}=${v}\n`).join(''));
    writeFileSync(join(dir, `${label}.log`), '');
    instances.push({ configFile, port });
  };
  await add('plain', false);
  if (opts.implicit !== false) await add('implicit', true);

  const launch = async (inst: Instance) => {
    const child = spawn('/usr/sbin/vsftpd', [inst.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d) => { stderr += String(d); });
    inst.child = child;
    inst.exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await Promise.race([
      waitForPort(inst.port, 10000),
      inst.exited.then(() => { throw new Error(`vsftpd ${inst.configFile} exited before listening: ${stderr.trim()}`); }),
    ]);
  };

  // vsftpd forks a session process per client that calls setsid(): neither a process group signal nor the
  // listener's death reaches it, so the whole tree is found (before the listener dies) and signalled.
  const signalAll = async (signal: NodeJS.Signals) => {
    await Promise.all(instances.map(async (inst) => {
      const child = inst.child;
      if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
      const tree = [child.pid, ...descendants(child.pid)];
      for (const pid of tree) { try { process.kill(pid, signal); } catch { /* already gone */ } }
      const gone = await Promise.race([inst.exited!.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
      if (!gone) { try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ } await inst.exited; }
      for (const pid of tree.slice(1)) { try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ } }
    }));
  };

  const server: FtpServer = {
    info: {
      host: '127.0.0.1',
      port: instances[0].port,
      implicitPort: instances[1]?.port ?? 0,
      user: FTP_USER,
      password: FTP_PASSWORD,
      root,
      certFingerprint: cert.fingerprint,
      certPem: cert.certPem,
      logFile: join(dir, 'plain.log'),
      implicitLogFile: join(dir, 'implicit.log'),
    },
    async stop() {
      await signalAll('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => signalAll('SIGKILL'),
    async restart(restartOpts = {}) {
      await signalAll('SIGKILL');
      if (restartOpts.newCertificate) {
        cert = makeCertificate(dir); // same file names, so the config files stay valid
        server.info.certFingerprint = cert.fingerprint;
        server.info.certPem = cert.certPem;
      }
      for (const inst of instances) await launch(inst);
    },
  };

  try {
    for (const inst of instances) await launch(inst);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}

export async function start(): Promise<{ info: FtpServerInfo; stop(): Promise<void> }> {
  const s = await startFtpServer();
  return { info: s.info, stop: s.stop };
}

/** Every process below `pid` (children, their children...), from ps. */
function descendants(pid: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
  const out: number[] = [];
  const walk = (parent: number) => {
    for (const [p, pp] of rows) if (pp === parent) { out.push(p); walk(p); }
  };
  walk(pid);
  return out;
}

/** For tests: whether a log file exists yet (vsftpd creates it on the first connection). */
export function readLog(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
