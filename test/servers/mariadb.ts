import { execFile, spawn } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitForPort } from '../support/ports';

/**
 * A real MariaDB (Debian's `mariadb-server`, 10.11 here) of its own on a free 127.0.0.1 port:
 * mariadb-install-db into a temp folder, then mariadbd in the foreground, dropping to the `mysql` user.
 * `--no-defaults` everywhere, so /etc/mysql/*.cnf (system socket, port 3306, log paths) never applies.
 * Durability settings are off (the data is thrown away); local_infile is ON so LOAD DATA LOCAL INFILE,
 * Ferry's fast load path, can be tested. utf8mb4 is set explicitly: without config files 10.11 uses latin1.
 *
 * The `ferry` user logs in with a password over TCP. root exists only as root@localhost with unix_socket
 * authentication (install-db's default), reachable through the private socket by the root OS user.
 *
 * Tests that kill or restart the server must start their own with startMariadb() (the shared one serves
 * every test file at the same time) and use stopMariadb / launchMariadb on it.
 */
export const name = 'mariadb';

/** Test-only credentials of a throwaway local database; not secrets. */
const USER = 'ferry';
const PASSWORD = 'ferry-Test-pw-1';
const DATABASE = 'ferry';

export interface MariadbInfo {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** The temp folder holding everything below; stop() removes it. */
  dir: string;
  dataDir: string;
  /** The server's Unix socket (root may log in there without a password: `mariadb --no-defaults -S socket -u root`). */
  socket: string;
  pidFile: string;
  /** mariadbd's error log (start-up and shutdown messages). */
  logPath: string;
  /** mariadbd's pid at start (it runs in the foreground, so this is the spawned process). */
  pid: number;
  /** "10.11.x-MariaDB..." as `mariadbd --version` prints it. */
  version: string;
  /** The exact command that runs this server in the foreground, as root (launchMariadb spawns it detached). */
  command: string[];
  /** How long start() took, for the record. */
  startMs: number;
  [k: string]: unknown;
}

const run = promisify(execFile);

/** The server and install-db binaries: Debian puts mariadbd in /usr/sbin, older packages call it mysqld. */
export function findMariadbBin(): { server: string; installDb: string; client: string } {
  const first = (names: string[]) => names.find((p) => existsSync(p));
  const server = first(['/usr/sbin/mariadbd', '/usr/sbin/mysqld', '/usr/bin/mariadbd']);
  const installDb = first(['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db', '/usr/sbin/mariadb-install-db']);
  const client = first(['/usr/bin/mariadb', '/usr/bin/mysql']);
  if (!server || !installDb || !client) throw new Error('MariaDB is not installed (apt install mariadb-server mariadb-client)');
  return { server, installDb, client };
}

function ids(user: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`system user ${user} is missing (it comes with the mariadb-server package)`);
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const logTail = (info: Pick<MariadbInfo, 'logPath'>) => (existsSync(info.logPath) ? readFileSync(info.logPath, 'utf8').trim().slice(-2000) : '');

/**
 * Spawns info.command detached (it outlives the process that started it, like sshd.ts) and waits for the port.
 * Returns the pid; throws with the error log if mariadbd exits first.
 */
export async function launchMariadb(info: MariadbInfo): Promise<number> {
  const err = openSync(join(info.dir, 'mariadbd.stderr'), 'a');
  const child = spawn(info.command[0], info.command.slice(1), { cwd: info.dir, stdio: ['ignore', 'ignore', err], detached: true });
  closeSync(err);
  child.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await Promise.race([
    waitForPort(info.port, 30000),
    exited.then(() => { throw new Error(`mariadbd exited before listening on ${info.port}: ${logTail(info)}`); }),
  ]);
  return child.pid!;
}

/** SIGTERM (a clean shutdown, about a second), SIGKILL if it is still there after 10 s. */
export async function stopMariadb(info: MariadbInfo): Promise<void> {
  let pid = info.pid;
  try { pid = Number(readFileSync(info.pidFile, 'utf8').trim()) || pid; } catch { /* not written (yet) */ }
  if (!pid || !alive(pid)) return;
  try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
  const deadline = Date.now() + 10000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (alive(pid)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    while (alive(pid)) await new Promise((r) => setTimeout(r, 20));
  }
}

/** A fresh server with the `ferry` user and database, running; stop() removes everything. */
export async function startMariadb(): Promise<{ info: MariadbInfo; stop(): Promise<void> }> {
  const t0 = Date.now();
  const bin = findMariadbBin();
  const mysql = ids('mysql');
  // Under /tmp, not os.tmpdir(): TMPDIR may point somewhere the mysql user cannot enter.
  const dir = mkdtempSync('/tmp/ferry-mariadb-');
  const dataDir = join(dir, 'data');
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  chownSync(dir, mysql.uid, mysql.gid);
  chownSync(tmp, mysql.uid, mysql.gid);
  const version = (await run(bin.server, ['--version'], { encoding: 'utf8' })).stdout.trim();

  const info: MariadbInfo = {
    host: '127.0.0.1', port: 0, user: USER, password: PASSWORD, database: DATABASE,
    dir, dataDir, socket: join(dir, 'mariadb.sock'), pidFile: join(dir, 'mariadbd.pid'), logPath: join(dir, 'error.log'),
    pid: 0, version, command: [], startMs: 0,
  };
  const stop = async () => {
    await stopMariadb(info);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    try {
      // --skip-test-db: no `test` database and its open grants. install-db runs its bootstrap as --user.
      await run(bin.installDb, ['--no-defaults', '--user=mysql', `--datadir=${dataDir}`, '--skip-test-db', '--auth-root-authentication-method=socket'], { cwd: dir, encoding: 'utf8' });
    } catch (e) {
      const x = e as { stderr?: string; stdout?: string; message: string };
      throw new Error(`mariadb-install-db failed: ${(x.stderr || x.stdout || x.message).trim().slice(-2000)}`);
    }

    // A port chosen free can be taken before the server binds it (a parallel run): try another one then.
    for (let attempt = 1; ; attempt++) {
      info.port = await freePort();
      info.command = [
        bin.server, '--no-defaults', '--user=mysql', `--datadir=${dataDir}`, `--socket=${info.socket}`, `--port=${info.port}`,
        '--bind-address=127.0.0.1', `--pid-file=${info.pidFile}`, `--log-error=${info.logPath}`, `--tmpdir=${tmp}`,
        '--local-infile=ON',
        // Users are matched by IP, not by a reverse lookup of 127.0.0.1 (which would make it "localhost").
        '--skip-name-resolve',
        '--character-set-server=utf8mb4', '--collation-server=utf8mb4_general_ci',
        // Throwaway data: no flushing per commit, no doublewrite, a small buffer pool.
        '--innodb-flush-log-at-trx-commit=0', '--innodb-doublewrite=0', '--innodb-buffer-pool-size=128M', '--sync-binlog=0',
      ];
      try {
        info.pid = await launchMariadb(info);
        break;
      } catch (e) {
        if (attempt >= 3 || !/address already in use|Can't start server: Bind/i.test(logTail(info))) throw e;
        rmSync(info.logPath, { force: true });
      }
    }

    // Setup as root over the private socket (unix_socket authentication: this process runs as root).
    // 'ferry'@'127.0.0.1' for TCP (see --skip-name-resolve), 'ferry'@'localhost' for the socket.
    const sql = [
      `CREATE DATABASE ${DATABASE} CHARACTER SET utf8mb4;`,
      ...['127.0.0.1', 'localhost'].flatMap((h) => [
        `CREATE USER '${USER}'@'${h}' IDENTIFIED BY '${PASSWORD}';`,
        `GRANT ALL PRIVILEGES ON ${DATABASE}.* TO '${USER}'@'${h}';`,
      ]),
    ].join('\n');
    await new Promise<void>((resolve, reject) => {
      const child = execFile(bin.client, ['--no-defaults', `--socket=${info.socket}`, '-u', 'root', '--batch'], { encoding: 'utf8' }, (e, _out, stderr) =>
        e ? reject(new Error(`setting up the ferry user and database failed: ${stderr.trim() || e.message}`)) : resolve(),
      );
      child.stdin!.end(sql);
    });
  } catch (e) {
    await stop();
    throw e;
  }
  info.startMs = Date.now() - t0;
  return { info, stop };
}

export async function start(): Promise<{ info: MariadbInfo; stop(): Promise<void> }> {
  return startMariadb();
}
