import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, waitForPort } from '../support/ports';

/**
 * A real PostgreSQL (Debian's `postgresql` package, version 15 here) of its own on a free 127.0.0.1 port:
 * initdb into a temp folder owned by the `postgres` system user (the server refuses to run as root), then
 * `pg_ctl start`. Unix sockets go to a private folder inside it (-k), so nothing touches /var/run/postgresql
 * or a system cluster on 5432. fsync=off: the data is thrown away, and it makes start-up and loads fast.
 *
 * TCP logins use scram-sha-256 passwords (pg_hba.conf below), the way Ferry connects to real servers. The
 * superuser `postgres` can log in only through the private socket folder (trust), which is only for setup
 * and for tests that need to act as the administrator (`adminSocketDir`).
 *
 * Tests that stop or restart the server must start their own with startPostgres() (the shared one serves
 * every test file at the same time) and use stopPostgres / launchPostgres on it.
 */
export const name = 'postgres';

/** Test-only credentials of a throwaway local database; not secrets. */
const USER = 'ferry';
const PASSWORD = 'ferry-Test-pw-1';
const DATABASE = 'ferry';

export interface PostgresInfo {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** The temp folder holding everything below; stop() removes it. */
  dir: string;
  dataDir: string;
  /** Where the server's Unix socket lives (connect as `postgres` here without a password). */
  adminSocketDir: string;
  logPath: string;
  /** The postmaster's pid at start; after a restart read the first line of `${dataDir}/postmaster.pid`. */
  pid: number;
  /** e.g. /usr/lib/postgresql/15/bin */
  binDir: string;
  /** The server's major version (15). */
  version: number;
  /** The exact commands that start (waits until it accepts connections) and fast-stop this server, run as root. */
  command: string[];
  stopCommand: string[];
  /**
   * The server's self-signed TLS certificate (PEM; CN and subjectAltName "localhost" only, so verify-full
   * passes for host "localhost" and fails for "127.0.0.1"). ssl=on, but no client is forced to use it.
   */
  certPath: string;
  /** How long start() took, for the record. */
  startMs: number;
  [k: string]: unknown;
}

const run = promisify(execFile);

/** The newest /usr/lib/postgresql/N/bin that has initdb and pg_ctl (Debian puts no server binaries on PATH). */
export function findPostgresBin(): { binDir: string; version: number } {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server found under ${root}/*/bin (apt install postgresql)`);
  const version = Math.max(...versions.map(Number));
  return { binDir: join(root, String(version), 'bin'), version };
}

function ids(user: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`system user ${user} is missing (it comes with the postgresql package)`);
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

/** Runs a PostgreSQL tool as the postgres user, from a folder it can read (initdb warns about an unreadable cwd). */
async function asPostgres(info: Pick<PostgresInfo, 'dir'>, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('runuser', ['-u', 'postgres', '--', ...args], { cwd: info.dir, encoding: 'utf8' });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${args.join(' ')} failed: ${(err.stderr || err.stdout || err.message).trim().slice(-2000)}`);
  }
}

function readPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the process still runs. A zombie counts as gone: pg_ctl daemonizes the postmaster, so once it exits
 * it waits for PID 1 to reap it, which here takes up to two seconds.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Starts the server with info.command (pg_ctl -w returns once it accepts connections) and returns the postmaster's pid. */
export async function launchPostgres(info: PostgresInfo): Promise<number> {
  try {
    await run(info.command[0], info.command.slice(1), { cwd: info.dir, encoding: 'utf8', timeout: 30000 });
  } catch (e) {
    const log = existsSync(info.logPath) ? readFileSync(info.logPath, 'utf8') : '';
    throw new Error(`PostgreSQL did not start on ${info.port}: ${((e as { stderr?: string }).stderr ?? '').trim()}\n${log.trim().slice(-2000)}`);
  }
  await waitForPort(info.port, 10000);
  const pid = readPid(info.dataDir);
  if (!pid) throw new Error(`PostgreSQL started but wrote no ${info.dataDir}/postmaster.pid`);
  return pid;
}

/** Stops the server (fast: open sessions are cut), or SIGKILLs the postmaster if pg_ctl cannot. */
export async function stopPostgres(info: PostgresInfo): Promise<void> {
  const pid = readPid(info.dataDir);
  if (!pid || !alive(pid)) return;
  try {
    await run(info.stopCommand[0], info.stopCommand.slice(1), { cwd: info.dir, timeout: 15000 });
  } catch {
    // Backends notice the postmaster's death and exit on their own.
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  const deadline = Date.now() + 5000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** A fresh cluster with the `ferry` role and database, running; stop() removes everything. */
export async function startPostgres(): Promise<{ info: PostgresInfo; stop(): Promise<void> }> {
  const t0 = Date.now();
  const { binDir, version } = findPostgresBin();
  const pgUser = ids('postgres');
  // Under /tmp, not os.tmpdir(): TMPDIR may point somewhere the postgres user cannot enter.
  const dir = mkdtempSync('/tmp/ferry-postgres-');
  const dataDir = join(dir, 'data');
  const adminSocketDir = join(dir, 'sock');
  // The socket folder stays 0700: only postgres (and root) can reach the trusted superuser socket.
  mkdirSync(adminSocketDir, { mode: 0o700 });
  chownSync(dir, pgUser.uid, pgUser.gid);
  chownSync(adminSocketDir, pgUser.uid, pgUser.gid);

  const stopCommand = ['runuser', '-u', 'postgres', '--', join(binDir, 'pg_ctl'), '-D', dataDir, '-m', 'fast', '-w', '-t', '10', 'stop'];
  const info: PostgresInfo = {
    host: '127.0.0.1', port: 0, user: USER, password: PASSWORD, database: DATABASE,
    dir, dataDir, adminSocketDir, logPath: join(dir, 'postgres.log'), pid: 0, binDir, version,
    command: [], stopCommand, startMs: 0, certPath: join(dir, 'server.crt'),
  };
  const stop = async () => {
    await stopPostgres(info);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // -N: no fsync of the new cluster (seconds saved, nothing lost that matters). --no-locale: C collation,
    // independent of which locales this machine has; UTF8 so any text round-trips.
    await asPostgres(info, [join(binDir, 'initdb'), '-D', dataDir, '-U', 'postgres', '-E', 'UTF8', '--no-locale', '-N', '--auth-local=trust', '--auth-host=scram-sha-256']);
    writeFileSync(
      join(dataDir, 'pg_hba.conf'),
      [
        '# Written by test/servers/postgres.ts. The superuser only through the private socket folder;',
        '# every TCP login (only 127.0.0.1 listens) needs a SCRAM password, as on a real server.',
        'local all postgres trust',
        'host  all all 127.0.0.1/32 scram-sha-256',
        '',
      ].join('\n'),
    );

    // A self-signed certificate (P-256: made in milliseconds); the key must be the postgres user's and 0600.
    const keyPath = join(dataDir, 'server.key');
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3650',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', keyPath, '-out', info.certPath]);
    chownSync(keyPath, pgUser.uid, pgUser.gid);
    chmodSync(keyPath, 0o600);

    // A port chosen free can be taken before the server binds it (a parallel run): try another one then.
    for (let attempt = 1; ; attempt++) {
      info.port = await freePort();
      const options = `-c listen_addresses=127.0.0.1 -p ${info.port} -k ${adminSocketDir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c password_encryption=scram-sha-256 -c ssl=on -c ssl_cert_file=${info.certPath} -c ssl_key_file=${keyPath}`;
      info.command = ['runuser', '-u', 'postgres', '--', join(binDir, 'pg_ctl'), '-D', dataDir, '-l', info.logPath, '-o', options, '-w', '-t', '30', 'start'];
      try {
        info.pid = await launchPostgres(info);
        break;
      } catch (e) {
        const log = existsSync(info.logPath) ? readFileSync(info.logPath, 'utf8') : '';
        if (attempt >= 3 || !/address already in use/i.test(log)) throw e;
        rmSync(info.logPath, { force: true });
      }
    }

    // Setup as the superuser over the private socket (pg takes a folder as host for Unix sockets).
    const admin = new pg.Client({ host: adminSocketDir, port: info.port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      // The password literal is a test-only constant without quotes; CREATE ROLE takes no bind parameters.
      await admin.query(`CREATE ROLE ${USER} LOGIN PASSWORD '${PASSWORD}'`);
      await admin.query(`CREATE DATABASE ${DATABASE} OWNER ${USER} ENCODING 'UTF8'`);
      await admin.query(`GRANT ALL PRIVILEGES ON DATABASE ${DATABASE} TO ${USER}`);
    } finally {
      await admin.end();
    }
  } catch (e) {
    await stop();
    throw e;
  }
  info.startMs = Date.now() - t0;
  return { info, stop };
}

export async function start(): Promise<{ info: PostgresInfo; stop(): Promise<void> }> {
  return startPostgres();
}
