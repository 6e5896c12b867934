import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForPort } from '../support/ports';

/**
 * OpenSSH's real sshd (apt openssh-server) on a free 127.0.0.1 port, SFTP only (ForceCommand internal-sftp),
 * for the system user `ferrytest` with a known password and three authorized client keys, plus an ssh-agent
 * holding a fourth. All files live in one temp folder that stop() removes; the user stays (idempotent).
 *
 * UsePAM is on: without PAM, OpenSSH on Linux offers no keyboard-interactive device at all, so that method
 * could not be tested. PAM's pam_unix delays a wrong password by about 2 s.
 *
 * Tests that kill or restart sshd (connection cut mid-file, changed host key) must not touch this shared
 * instance (other test files use it at the same time): they start their own with startPrivateSshd(info)
 * and use killSshd / cutSessions / restartSshd on that one.
 */
export const name = 'sshd';

const SSHD = '/usr/sbin/sshd';
const USER = 'ferrytest';
/** Test-only credentials for a throwaway local user; not secrets. */
const PASSWORD = 'ferry-Test-pw-1';
const PASSPHRASE_ED25519 = 'open sesame ed25519';
const PASSPHRASE_RSA_PEM = 'open sesame rsa pem';

export interface SshdInfo {
  host: string;
  port: number;
  user: string;
  password: string;
  home: string;
  keys: {
    /** OpenSSH-format ed25519 key without a passphrase. */
    ed25519: { path: string };
    /** OpenSSH-format ed25519 key with a passphrase. */
    ed25519Passphrase: { path: string; passphrase: string };
    /** PEM ("BEGIN RSA PRIVATE KEY", ssh-keygen -m PEM) RSA key with a passphrase. */
    rsaPem: { path: string; passphrase: string };
    /** The key loaded into the agent (authorized too); its file is only for reference. */
    agent: { path: string };
  };
  /** "SHA256:..." as `ssh-keygen -l` prints them. */
  hostKeyFingerprints: { ed25519: string; rsa: string };
  /** Base64 host key blobs (the second field of a known_hosts line). */
  hostKeys: { ed25519: string; rsa: string };
  /** The ssh-agent's socket (SSH_AUTH_SOCK for the agent test only; never set globally). Empty for private instances. */
  agentSocket: string;
  /** The listening sshd's pid at start; after a restart read it from pidFile. */
  pid: number;
  dir: string;
  configPath: string;
  logPath: string;
  pidFile: string;
  /** The exact command that runs this sshd (restartSshd uses it). */
  command: string[];
  [k: string]: unknown;
}

function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Creates the test user if missing and (re)sets its password; returns its home folder. */
function ensureUser(): string {
  const home = () => run('getent', ['passwd', USER]).trim().split(':')[5];
  try {
    run('id', ['-u', USER]);
  } catch {
    try {
      run('useradd', ['-m', '-s', '/bin/bash', USER]);
    } catch (e) {
      // Another test run may have created it in between.
      try { run('id', ['-u', USER]); } catch { throw e; }
    }
  }
  run('chpasswd', [], `${USER}:${PASSWORD}\n`);
  return home();
}

/** ssh-keygen, asynchronously: RSA keys take a while, so all keys are made in parallel. */
async function keygen(file: string, type: 'ed25519' | 'rsa', passphrase = '', pem = false): Promise<void> {
  const args = ['-q', '-t', type, '-N', passphrase, '-C', `ferry-test-${type}`, '-f', file];
  if (type === 'rsa') args.push('-b', '2048');
  if (pem) args.push('-m', 'PEM');
  await promisify(execFile)('ssh-keygen', args);
}

function fingerprint(pubFile: string): string {
  const m = /SHA256:\S+/.exec(run('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFile]));
  if (!m) throw new Error(`ssh-keygen printed no fingerprint for ${pubFile}`);
  return m[0];
}

function blob(pubFile: string): string {
  return readFileSync(pubFile, 'utf8').trim().split(/\s+/)[1];
}

async function writeHostKeys(hostDir: string): Promise<Pick<SshdInfo, 'hostKeyFingerprints' | 'hostKeys'>> {
  mkdirSync(hostDir, { recursive: true, mode: 0o700 });
  await Promise.all([keygen(join(hostDir, 'ssh_host_ed25519_key'), 'ed25519'), keygen(join(hostDir, 'ssh_host_rsa_key'), 'rsa')]);
  return hostKeyFacts(hostDir);
}

function hostKeyFacts(hostDir: string): Pick<SshdInfo, 'hostKeyFingerprints' | 'hostKeys'> {
  const ed = join(hostDir, 'ssh_host_ed25519_key.pub');
  const rsa = join(hostDir, 'ssh_host_rsa_key.pub');
  return {
    hostKeyFingerprints: { ed25519: fingerprint(ed), rsa: fingerprint(rsa) },
    hostKeys: { ed25519: blob(ed), rsa: blob(rsa) },
  };
}

function writeConfig(dir: string, port: number, authorizedKeys: string, logLevel: string, extra: string[]): string {
  const configPath = join(dir, 'sshd_config');
  writeFileSync(
    configPath,
    [
      // sshd keeps the first value it reads for a keyword: extra lines go first to override the defaults below.
      ...extra,
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host', 'ssh_host_ed25519_key')}`,
      `HostKey ${join(dir, 'host', 'ssh_host_rsa_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'StrictModes no',
      'UsePAM yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication yes',
      'PubkeyAuthentication yes',
      'PermitRootLogin no',
      `AllowUsers ${USER}`,
      'UseDNS no',
      'PrintMotd no',
      // Test files connect in parallel: never drop unauthenticated connections at random.
      'MaxStartups 200',
      'MaxSessions 50',
      `LogLevel ${logLevel}`,
      'Subsystem sftp internal-sftp',
      'ForceCommand internal-sftp',
      '',
    ].join('\n'),
  );
  return configPath;
}

function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** All descendants of a process (sshd's per-connection children call setsid, so no process group covers them). */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may contain spaces, so parse after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // The process ended while scanning.
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === pid) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

async function waitGone(pid: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** Starts sshd from info.command (detached, so it outlives the process that started it) and waits for its port. */
async function launch(info: Pick<SshdInfo, 'command' | 'port' | 'pidFile' | 'logPath' | 'dir'>): Promise<number> {
  rmSync(info.pidFile, { force: true });
  mkdirSync('/run/sshd', { recursive: true });
  const errFile = join(info.dir, 'sshd.stderr');
  const err = openSync(errFile, 'a');
  const child = spawn(info.command[0], info.command.slice(1), { stdio: ['ignore', 'ignore', err], detached: true });
  closeSync(err);
  child.unref();
  let exited = false;
  child.once('exit', () => { exited = true; });
  const deadline = Date.now() + 15000;
  for (;;) {
    if (exited) {
      const log = [errFile, info.logPath].map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : '')).join('\n');
      throw new Error(`sshd exited before listening on ${info.port}: ${log.trim().slice(-2000)}`);
    }
    const pid = readPid(info.pidFile);
    if (pid) {
      await waitForPort(info.port, Math.max(1000, deadline - Date.now()));
      return pid;
    }
    if (Date.now() > deadline) throw new Error(`sshd did not start on ${info.port}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

/** Cuts every open SSH connection of this sshd (kill -9 of its session processes); it keeps listening. */
export function cutSessions(info: Pick<SshdInfo, 'pidFile'>): void {
  const pid = readPid(info.pidFile);
  if (!pid) return;
  for (const child of descendants(pid)) {
    try { process.kill(child, 'SIGKILL'); } catch { /* already gone */ }
  }
}

/**
 * Freezes (SIGSTOP) or thaws (SIGCONT) every open SSH connection of this sshd: the connections stay open but
 * nothing answers, as with a server that hangs or a link that silently drops packets.
 */
export function freezeSessions(info: Pick<SshdInfo, 'pidFile'>, how: 'SIGSTOP' | 'SIGCONT'): void {
  const pid = readPid(info.pidFile);
  if (!pid) return;
  for (const child of descendants(pid)) {
    try { process.kill(child, how); } catch { /* already gone */ }
  }
}

/** kill -9 of sshd and all its connections: the server is gone until restartSshd. */
export async function killSshd(info: Pick<SshdInfo, 'pidFile'>): Promise<void> {
  const pid = readPid(info.pidFile);
  if (!pid) return;
  const children = descendants(pid);
  try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  for (const child of children) {
    try { process.kill(child, 'SIGKILL'); } catch { /* already gone */ }
  }
  await waitGone(pid);
  rmSync(`${info.pidFile}`, { force: true });
}

/** Starts sshd again with the same config (same port, same host keys unless the files were replaced). */
export async function restartSshd(info: SshdInfo): Promise<number> {
  await killSshd(info);
  return launch(info);
}

/** Replaces this instance's host keys with fresh ones (takes effect at the next restartSshd). */
export async function replaceHostKeys(info: SshdInfo): Promise<Pick<SshdInfo, 'hostKeyFingerprints' | 'hostKeys'>> {
  const hostDir = join(info.dir, 'host');
  rmSync(hostDir, { recursive: true, force: true });
  return writeHostKeys(hostDir);
}

async function startInstance(
  dir: string,
  base: Pick<SshdInfo, 'host' | 'user' | 'password' | 'home' | 'keys' | 'agentSocket'>,
  authorizedKeys: string,
  opts: { port?: number; logLevel?: string; extraConfig?: string[] },
): Promise<SshdInfo> {
  const port = opts.port ?? (await freePort());
  const configPath = writeConfig(dir, port, authorizedKeys, opts.logLevel ?? 'VERBOSE', opts.extraConfig ?? []);
  const logPath = join(dir, 'sshd.log');
  const info: SshdInfo = {
    ...base,
    ...hostKeyFacts(join(dir, 'host')),
    port,
    pid: 0,
    dir,
    configPath,
    logPath,
    pidFile: join(dir, 'sshd.pid'),
    command: [SSHD, '-D', '-f', configPath, '-E', logPath],
  };
  info.pid = await launch(info);
  return info;
}

async function stopInstance(info: SshdInfo): Promise<void> {
  await killSshd(info);
  rmSync(info.dir, { recursive: true, force: true });
}

/** Starts an ssh-agent on a socket in `dir` holding `keyFile`. */
async function startAgent(dir: string, keyFile: string): Promise<{ socket: string; pid: number }> {
  const socket = join(dir, 'agent.sock');
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore', detached: true });
  child.unref();
  const deadline = Date.now() + 10000;
  while (!existsSync(socket)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('ssh-agent did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  execFileSync('ssh-add', ['-q', keyFile], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'pipe' });
  return { socket, pid: child.pid! };
}

export async function start(): Promise<{ info: SshdInfo; stop(): Promise<void> }> {
  const home = ensureUser();
  const dir = mkdtempSync('/tmp/ferry-sshd-');
  // sshd reads AuthorizedKeysFile as the test user: the folder and that file must be readable by it.
  chmodSync(dir, 0o755);
  const clientDir = join(dir, 'client');
  mkdirSync(clientDir, { mode: 0o700 });
  const k = (n: string) => join(clientDir, n);
  await Promise.all([
    keygen(k('id_ed25519'), 'ed25519'),
    keygen(k('id_ed25519_pass'), 'ed25519', PASSPHRASE_ED25519),
    keygen(k('id_rsa_pem_pass'), 'rsa', PASSPHRASE_RSA_PEM, true),
    keygen(k('id_agent'), 'ed25519'),
    writeHostKeys(join(dir, 'host')),
  ]);
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(
    authorizedKeys,
    ['id_ed25519', 'id_ed25519_pass', 'id_rsa_pem_pass', 'id_agent'].map((n) => readFileSync(k(n) + '.pub', 'utf8').trim()).join('\n') + '\n',
    { mode: 0o644 },
  );

  let agent: { socket: string; pid: number } | undefined;
  let info: SshdInfo | undefined;
  const stop = async () => {
    if (agent) {
      try { process.kill(agent.pid, 'SIGTERM'); } catch { /* already gone */ }
      await waitGone(agent.pid);
    }
    if (info) await killSshd(info);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    agent = await startAgent(dir, k('id_agent'));
    info = await startInstance(
      dir,
      {
        host: '127.0.0.1',
        user: USER,
        password: PASSWORD,
        home,
        keys: {
          ed25519: { path: k('id_ed25519') },
          ed25519Passphrase: { path: k('id_ed25519_pass'), passphrase: PASSPHRASE_ED25519 },
          rsaPem: { path: k('id_rsa_pem_pass'), passphrase: PASSPHRASE_RSA_PEM },
          agent: { path: k('id_agent') },
        },
        agentSocket: agent.socket,
      },
      authorizedKeys,
      {},
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { info, stop };
}

/**
 * A second sshd of its own (own folder, config, log and pid; same user and authorized keys as `base`), for a
 * test that kills, restarts or re-keys it. Host keys are copied from `base` unless `newHostKeys`.
 * `logLevel: 'DEBUG1'` makes sshd log every userauth request (to prove none was made); `extraConfig` lines
 * (e.g. "PasswordAuthentication no") override the defaults.
 */
export async function startPrivateSshd(
  base: SshdInfo,
  opts: { port?: number; newHostKeys?: boolean; logLevel?: string; extraConfig?: string[] } = {},
): Promise<{ info: SshdInfo; stop(): Promise<void> }> {
  const dir = mkdtempSync('/tmp/ferry-sshd-private-');
  const hostDir = join(dir, 'host');
  if (opts.newHostKeys) await writeHostKeys(hostDir);
  else {
    mkdirSync(hostDir, { mode: 0o700 });
    for (const f of ['ssh_host_ed25519_key', 'ssh_host_rsa_key']) {
      for (const suffix of ['', '.pub']) copyFileSync(join(base.dir, 'host', f + suffix), join(hostDir, f + suffix));
      chmodSync(join(hostDir, f), 0o600);
    }
  }
  const shared = { host: base.host, user: base.user, password: base.password, home: base.home, keys: base.keys, agentSocket: '' };
  try {
    const info = await startInstance(dir, shared, join(base.dir, 'authorized_keys'), opts);
    return { info, stop: () => stopInstance(info) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
