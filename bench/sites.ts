import { chownSync, copyFileSync, linkSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SshdInfo } from '../test/servers/sshd';
import type { FtpServerInfo } from '../test/servers/ftp';
import type { S3ServerInfo } from '../test/servers/s3';
import { BIG_NAME, compareListing, SMALL_DIR, verifyLocal, type FileFact, type Manifest } from './data';
import { run } from './exec';
import type { FerryCli } from './ferry';

/** Bare scripts for a case's floor: its work with none of Ferry around it (docs/benchmarks.md, "Floors"). */
const FLOORS = join(import.meta.dirname, 'floors');

export type Direction = 'up' | 'down';
export type What = 'big' | 'small';

/** One transfer to run: local ↔ remote, the big file or the folder of small files. */
export interface Op {
  direction: Direction;
  what: What;
  /** Local folder holding big.bin and small/ (upload source). */
  localSrc: string;
  /** An empty local folder (download destination). */
  localDst: string;
  /** Remote folder holding big.bin and small/ (download source). */
  remoteSrc: string;
  /** An empty remote folder (upload destination). */
  remoteDst: string;
}

export interface Command {
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

export interface Tool {
  name: string;
  /** The settings that matter for speed, printed next to each figure. */
  settings: string;
  ferry: boolean;
  command(op: Op): Command;
}

/** A server and the tools that talk to it. Every path handed out is absolute on the server. */
export interface Site {
  proto: 'SFTP' | 'FTP' | 'S3';
  remoteSrc: string;
  /** A fresh, empty folder on the server for one upload run. */
  newUploadDir(tag: string): string;
  /** Compares what an upload left on the server with the manifest; a problem in words, or null. */
  verifyUpload(remoteDir: string, what: What, m: Manifest, full: boolean): Promise<string | null>;
  removeUploadDir(remoteDir: string): void;
  ferry(transfers: number): Tool;
  refs: Record<string, Tool>;
}

export interface SiteContext {
  dataDir: string;
  workDir: string;
  ferry: FerryCli;
}

/** Places the data set in a server's folder: hard links (same file system here), else copies. */
function placeData(dataDir: string, dst: string): void {
  mkdirSync(join(dst, SMALL_DIR), { recursive: true });
  const place = (from: string, to: string) => {
    try {
      linkSync(from, to);
    } catch {
      copyFileSync(from, to);
    }
  };
  place(join(dataDir, BIG_NAME), join(dst, BIG_NAME));
  for (const n of readdirSync(join(dataDir, SMALL_DIR))) place(join(dataDir, SMALL_DIR, n), join(dst, SMALL_DIR, n));
}

/** Ferry's copy command for one op: folders with -r, into the destination folder as `ferry copy` defines. */
function ferryTool(ctx: SiteContext, profile: string, transfers: number, settings: string): Tool {
  return {
    name: 'Ferry',
    settings: `--transfers ${transfers}, verify hash (default)${settings ? ', ' + settings : ''}`,
    ferry: true,
    command(op) {
      const item = op.what === 'big' ? BIG_NAME : SMALL_DIR;
      const recursive = op.what === 'small';
      return op.direction === 'up'
        ? ctx.ferry.copy(join(op.localSrc, item), `${profile}:${op.remoteDst}`, { recursive, transfers })
        : ctx.ferry.copy(`${profile}:${op.remoteSrc}/${item}`, op.localDst, { recursive, transfers });
    },
  };
}

/** rclone with a private config file; `remote(path)` turns a server path into rclone's REMOTE:path. */
function rcloneTool(conf: string, remote: (p: string) => string, opts: { transfers?: number; extra?: (op: Op) => string[]; settings?: string; env?: NodeJS.ProcessEnv }): Tool {
  const transferArgs = opts.transfers ? ['--transfers', String(opts.transfers)] : [];
  return {
    name: opts.transfers ? `rclone --transfers ${opts.transfers}` : 'rclone',
    settings: `${opts.transfers ? `--transfers ${opts.transfers}` : '--transfers 4 (default)'}${opts.settings ? ', ' + opts.settings : ''}`,
    ferry: false,
    command(op) {
      const item = op.what === 'big' ? BIG_NAME : SMALL_DIR;
      const [src, dst] =
        op.direction === 'up'
          ? [join(op.localSrc, item), op.what === 'big' ? remote(op.remoteDst) : remote(`${op.remoteDst}/${SMALL_DIR}`)]
          : [remote(`${op.remoteSrc}/${item}`), op.what === 'big' ? op.localDst : join(op.localDst, SMALL_DIR)];
      return { cmd: 'rclone', args: ['--config', conf, 'copy', src, dst, ...transferArgs, ...(opts.extra?.(op) ?? [])], env: opts.env };
    },
  };
}

/**
 * A floor (bench/floors): a bare script doing a small-file transfer's minimum plus Ferry's per-file
 * guarantees, given the remote folder, the local one and its server's address in `env`. `scripts.up`, where
 * a site has one, measures uploads the same way (local folder first, then the remote one).
 */
function floorTool(name: string, settings: string, scripts: { down: string; up?: string }, env: NodeJS.ProcessEnv, mode: 'safe' | 'plain' = 'safe'): Tool {
  return {
    name,
    settings,
    ferry: false,
    command(op) {
      const script = op.what === 'small' ? scripts[op.direction] : undefined;
      if (!script) throw new Error(`${name} measures small-file ${scripts.up ? 'transfers' : 'downloads'} only`);
      const args =
        op.direction === 'down'
          ? [`${op.remoteSrc}/${SMALL_DIR}`, join(op.localDst, SMALL_DIR)]
          : [join(op.localSrc, SMALL_DIR), `${op.remoteDst}/${SMALL_DIR}`];
      return { cmd: process.execPath, args: [join(FLOORS, script), ...args, ...(mode === 'safe' ? ['safe'] : [])], env: { ...process.env, ...env } };
    },
  };
}

/**
 * A site's floor with Ferry's per-file guarantees, and the same script with the reference's requests alone
 * (`plain`): together they split what the guarantees cost the server from what Ferry itself costs.
 */
function floorPair(name: string, scripts: { down: string; up: string }, env: NodeJS.ProcessEnv, settings: string, plainSettings: string): { floor: Tool; floorPlain: Tool } {
  return { floor: floorTool(name, settings, scripts, env), floorPlain: floorTool('floor, no guarantees (bench/floors)', plainSettings, scripts, env, 'plain') };
}

function owner(path: string): { uid: number; gid: number } {
  const s = statSync(path);
  return { uid: s.uid, gid: s.gid };
}

// ---------------------------------------------------------------- SFTP (OpenSSH sshd)

export function sftpSite(info: SshdInfo, ctx: SiteContext): Site {
  const base = join(info.home, 'ferry-bench');
  const user = owner(info.home);
  rmSync(base, { recursive: true, force: true });
  placeData(ctx.dataDir, join(base, 'src'));
  mkdirSync(join(base, 'up'));
  chownSync(join(base, 'up'), user.uid, user.gid);

  ctx.ferry.setup(['profile', 'add', 'bench-sftp', '--type', 'sftp', '--host', info.host, '--port', String(info.port), '--user', info.user, '--auth', 'key', '--key', info.keys.ed25519.path]);
  ctx.ferry.setup(['--trust-host-key', info.hostKeyFingerprints.ed25519, 'profile', 'test', 'bench-sftp']);

  const sftp = (name: string, cipher?: string): Tool => ({
    name,
    settings: cipher ? `-c ${cipher}` : 'default cipher (chacha20-poly1305)',
    ferry: false,
    command(op) {
      const line =
        op.direction === 'up'
          ? op.what === 'big' ? `put ${op.localSrc}/${BIG_NAME} ${op.remoteDst}/${BIG_NAME}` : `put -r ${op.localSrc}/${SMALL_DIR} ${op.remoteDst}/${SMALL_DIR}`
          : op.what === 'big' ? `get ${op.remoteSrc}/${BIG_NAME} ${op.localDst}/${BIG_NAME}` : `get -r ${op.remoteSrc}/${SMALL_DIR} ${op.localDst}/${SMALL_DIR}`;
      const batch = join(ctx.workDir, `sftp-${op.direction}-${op.what}.batch`);
      writeFileSync(batch, line + '\n');
      return {
        cmd: 'sftp',
        args: [
          '-q', '-b', batch, '-P', String(info.port), '-i', info.keys.ed25519.path, '-F', '/dev/null',
          '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'LogLevel=ERROR',
          ...(cipher ? ['-c', cipher] : []),
          `${info.user}@${info.host}`,
        ],
        env: { ...process.env, SSH_AUTH_SOCK: '' },
      };
    },
  });

  // sftp's own requests per upload (OPEN of the final name, WRITE, CLOSE) run as the plain floor.
  const { floor, floorPlain } = floorPair(
    'floor: ssh2 alone (bench/floors)',
    { down: 'sftp-small.mjs', up: 'sftp-small-up.mjs' },
    { SSH_HOST: info.host, SSH_PORT: String(info.port), SSH_USER: info.user, SSH_KEY: info.keys.ed25519.path },
    '4 connections, aes128-gcm; down: temp name + time + re-check FSTAT + rename per file; up: OPEN of a temp name, WRITE, time + FSTAT + CLOSE together, posix-rename',
    "4 connections, aes128-gcm, OPEN+WRITE+CLOSE under the final name: sftp's requests",
  );

  const conf = join(ctx.workDir, 'rclone-sftp.conf');
  writeFileSync(conf, `[bsftp]\ntype = sftp\nhost = ${info.host}\nport = ${info.port}\nuser = ${info.user}\nkey_file = ${info.keys.ed25519.path}\nshell_type = none\n`);

  return {
    proto: 'SFTP',
    remoteSrc: join(base, 'src'),
    newUploadDir(tag) {
      const d = join(base, 'up', tag);
      rmSync(d, { recursive: true, force: true });
      mkdirSync(d);
      chownSync(d, user.uid, user.gid);
      return d;
    },
    verifyUpload: (dir, what, m, full) => verifyLocal(dir, what, m, full),
    removeUploadDir: (dir) => rmSync(dir, { recursive: true, force: true }),
    ferry: (transfers) => ferryTool(ctx, 'bench-sftp', transfers, 'key auth, aes128-gcm (the connector\'s first choice)'),
    refs: {
      sftp: sftp('OpenSSH sftp'),
      sftpGcm: sftp('OpenSSH sftp -c aes128-gcm', 'aes128-gcm@openssh.com'),
      rclone: rcloneTool(conf, (p) => `bsftp:${p}`, { settings: 'shell_type none (no remote hashes)' }),
      floor,
      floorPlain,
    },
  };
}

// ---------------------------------------------------------------- FTP (vsftpd)

export function ftpSite(info: FtpServerInfo, ctx: SiteContext): Site {
  const localBase = join(info.root, 'ferry-bench');
  const user = owner(info.root);
  placeData(ctx.dataDir, join(localBase, 'src'));
  mkdirSync(join(localBase, 'up'));
  chownSync(join(localBase, 'up'), user.uid, user.gid);
  const toLocal = (p: string) => join(info.root, p);

  ctx.ferry.setup(
    ['profile', 'add', 'bench-ftp', '--type', 'ftp', '--host', info.host, '--port', String(info.port), '--user', info.user, '--tls', 'none', '--password-stdin'],
    info.password + '\n',
  );
  ctx.ferry.setup(['profile', 'test', 'bench-ftp']);

  const lftp: Tool = {
    name: 'lftp',
    settings: '',
    ferry: false,
    command(op) {
      const action =
        op.direction === 'up'
          ? op.what === 'big' ? `put ${op.localSrc}/${BIG_NAME} -o ${op.remoteDst}/${BIG_NAME}` : `mirror -R --parallel=4 ${op.localSrc}/${SMALL_DIR} ${op.remoteDst}/${SMALL_DIR}`
          : op.what === 'big' ? `pget -n 4 ${op.remoteSrc}/${BIG_NAME} -o ${op.localDst}/${BIG_NAME}` : `mirror --parallel=4 ${op.remoteSrc}/${SMALL_DIR} ${op.localDst}/${SMALL_DIR}`;
      // Plain FTP like the others (vsftpd offers AUTH TLS, which lftp would otherwise use); any error ends lftp with a non-zero status.
      const script = `set ftp:ssl-allow no; set cmd:fail-exit yes; set net:max-retries 2; set net:reconnect-interval-base 1; open -u ${info.user},${info.password} -p ${info.port} ${info.host}; ${action}`;
      return { cmd: 'lftp', args: ['-c', script] };
    },
  };
  lftp.settings = 'big: put / pget -n 4; small: mirror [-R] --parallel=4';

  // lftp's own commands per file (EPSV+STOR under the final name, nothing else) run as the plain floor.
  const { floor, floorPlain } = floorPair(
    'floor: plain Node (bench/floors)',
    { down: 'ftp-small.mjs', up: 'ftp-small-up.mjs' },
    { FTP_HOST: info.host, FTP_PORT: String(info.port), FTP_USER: info.user, FTP_PASS: info.password },
    '4 connections; down: EPSV+RETR per file, temp name + time + SIZE/MDTM re-check + rename; up: EPSV+STOR to a temp name, time + SIZE, RNFR+RNTO',
    "4 connections, EPSV+STOR under the final name: lftp's commands",
  );

  const conf = join(ctx.workDir, 'rclone-ftp.conf');
  const obscured = run('rclone', ['obscure', info.password]).trim();
  writeFileSync(conf, `[bftp]\ntype = ftp\nhost = ${info.host}\nport = ${info.port}\nuser = ${info.user}\npass = ${obscured}\n`);

  return {
    proto: 'FTP',
    remoteSrc: '/ferry-bench/src',
    newUploadDir(tag) {
      const p = `/ferry-bench/up/${tag}`;
      rmSync(toLocal(p), { recursive: true, force: true });
      mkdirSync(toLocal(p));
      chownSync(toLocal(p), user.uid, user.gid);
      return p;
    },
    verifyUpload: (dir, what, m, full) => verifyLocal(toLocal(dir), what, m, full),
    removeUploadDir: (dir) => rmSync(toLocal(dir), { recursive: true, force: true }),
    ferry: (transfers) => ferryTool(ctx, 'bench-ftp', transfers, 'plain FTP, 4 connections (profile default)'),
    refs: {
      lftp,
      // rclone 1.60's default 4-stream download of one file fails against vsftpd (426, corrupt file; see
      // verified.md): one stream, as a user would have to set it.
      rclone: rcloneTool(conf, (p) => `bftp:${p}`, { extra: (op) => (op.direction === 'down' ? ['--multi-thread-streams', '0'] : []), settings: 'downloads --multi-thread-streams 0' }),
      floor,
      floorPlain,
    },
  };
}

// ---------------------------------------------------------------- S3 (s3rver)

const BUCKET = 'ferry-bench';

export function s3Site(info: S3ServerInfo, ctx: SiteContext): Site {
  const conf = join(ctx.workDir, 'rclone-s3.conf');
  writeFileSync(
    conf,
    `[bs3]\ntype = s3\nprovider = Other\naccess_key_id = ${info.accessKeyId}\nsecret_access_key = ${info.secretAccessKey}\nendpoint = ${info.endpoint}\nregion = ${info.region}\nforce_path_style = true\n`,
  );
  // rclone's Go SDK reads AWS_CA_BUNDLE, which this machine sets, and fails with it (verified.md).
  const env = { ...process.env };
  delete env.AWS_CA_BUNDLE;
  const rc = (args: string[]) => run('rclone', ['--config', conf, ...args], { env });
  const remote = (p: string) => `bs3:${p.replace(/^\//, '')}`;

  rc(['mkdir', `bs3:${BUCKET}`]);
  rc(['copy', ctx.dataDir, `bs3:${BUCKET}/src`, '--transfers', '16', '--include', `/${BIG_NAME}`, '--include', `/${SMALL_DIR}/**`]);

  ctx.ferry.setup(
    ['profile', 'add', 'bench-s3', '--type', 's3', '--provider', 'other', '--endpoint', info.endpoint, '--region', info.region, '--access-key-id', info.accessKeyId, '--secret-access-key-stdin'],
    info.secretAccessKey + '\n',
  );
  // `ferry ls`, not `profile test`: profile test refuses an S3 profile whose required secret sits in the keychain
  // (ProfileService.test checks required options against an empty list of stored secrets).
  ctx.ferry.setup(['ls', `bench-s3:/${BUCKET}`]);

  return {
    proto: 'S3',
    remoteSrc: `/${BUCKET}/src`,
    newUploadDir: (tag) => `/${BUCKET}/up/${tag}`,
    async verifyUpload(dir, what, m) {
      // s3rver's ETag is the MD5 of the stored object (multipart ones too), so this checks the bytes it kept.
      const listing = JSON.parse(rc(['lsjson', '-R', '--files-only', '--hash', remote(dir)])) as { Path: string; Size: number; Hashes?: { md5?: string } }[];
      const facts = (l: { Size: number; Hashes?: { md5?: string } }): FileFact => ({ size: l.Size, md5: l.Hashes?.md5 ?? '' });
      if (what === 'big') {
        const f = listing.find((l) => l.Path === BIG_NAME);
        if (!f) return `${dir}/${BIG_NAME} is missing`;
        if (f.Size !== m.big.size) return `${dir}/${BIG_NAME} has ${f.Size} bytes, expected ${m.big.size}`;
        if (!f.Hashes?.md5) return `${dir}/${BIG_NAME}: the server reports no MD5 to check`;
        if (f.Hashes.md5 !== m.big.md5) return `${dir}/${BIG_NAME}: MD5 mismatch`;
        return null;
      }
      const got = Object.fromEntries(listing.filter((l) => l.Path.startsWith(`${SMALL_DIR}/`)).map((l) => [l.Path.slice(SMALL_DIR.length + 1), facts(l)]));
      return compareListing(dir, got, m);
    },
    removeUploadDir: (dir) => void rc(['purge', remote(dir)]),
    ferry: (transfers) => ferryTool(ctx, 'bench-s3', transfers, '8 MiB parts, 4 in parallel (profile defaults)'),
    refs: {
      rclone: rcloneTool(conf, remote, { env, settings: '5 MiB chunks, 4 in parallel (defaults)' }),
      rclone16: rcloneTool(conf, remote, { env, transfers: 16 }),
      floor: floorTool('floor: Node http + SignatureV4 (bench/floors)', '4 at a time, each a signed GET (the SDK signer; Ferry signs the same bytes itself); temp name + md5 vs ETag + time + rename per file', { down: 's3-small.mjs' }, {
        S3_ENDPOINT: info.endpoint,
        S3_REGION: info.region,
        S3_KEY: info.accessKeyId,
        S3_SECRET: info.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      }),
    },
  };
}
