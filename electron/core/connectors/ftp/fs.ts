import { Readable } from 'node:stream';
import { FileType, type FileInfo } from 'basic-ftp';
import type { Capabilities, Entry } from '../../../../shared/connectors';
import { basename, dirname, joinPath, normalizePath } from '../../../../shared/paths';
import { FerryError } from '../../errors';
import type { ConnectContext, Connector, ReadOptions, WriteOptions, WriteResult } from '../types';
import { openClient, positive, type FtpClient, type FtpSettings, type Reply } from './connect';
import { ftpError, type FtpWhere } from './errors';
import { ClientPool } from './pool';
import { failure, formatModTime, kindOf, notFound, parseModTime, parseSize, refused, whyNotEntered } from './probe';
import { retrieve } from './read-stream';
import { storeFile, type Stored } from './store';

/**
 * FTP and FTPS over basic-ftp. Every command uses an absolute path, so a pooled connection's working folder
 * never matters (probes and listings change it freely). Listings run LIST (MLSD where the server has it)
 * in the listed folder itself, never with the path as an argument: servers glob LIST arguments, which
 * breaks names like "why?.txt" or "[brackets].txt".
 */
export class FtpConnector implements Connector {
  private readonly pool: ClientPool;
  private readonly homeDir: string;
  private readonly log: ConnectContext['log'];

  constructor(
    readonly capabilities: Capabilities,
    private readonly s: FtpSettings,
    ctx: Pick<ConnectContext, 'trust' | 'acceptFingerprint' | 'log' | 'connectionBudget'>,
    first: FtpClient,
  ) {
    this.pool = new ClientPool((signal) => openClient(s, ctx, signal), Math.min(s.maxConnections, ctx.connectionBudget ?? s.maxConnections));
    this.pool.adopt(first);
    this.homeDir = normalizePath(first.home);
    this.log = ctx.log;
  }

  async home(): Promise<string> {
    return this.homeDir;
  }

  async list(path: string, opts: { signal?: AbortSignal } = {}): Promise<Entry[]> {
    const dir = normalizePath(path);
    return this.run('list', dir, opts.signal, async (c, where) => {
      const cwd = await c.ask(`CWD ${dir}`);
      if (!positive(cwd)) throw await whyNotEntered(c, dir, where);
      const entries = (await c.list()).filter((f) => f.name !== '.' && f.name !== '..').map((f) => toEntry(dir, f));
      if (!c.hasMLSD) {
        // LIST times are for people ("Mar  4  2021", "Nov 21 16:31", in the server's zone): ask MDTM per file,
        // in batches that cost one round trip each where the server takes pipelined commands.
        const files = entries.filter((e) => e.type === 'file');
        for (let i = 0; i < files.length && !opts.signal?.aborted; i += MDTM_BATCH) {
          const batch = files.slice(i, i + MDTM_BATCH);
          const replies = await c.askMany(batch.map((e) => `MDTM ${e.path}`));
          batch.forEach((e, k) => (e.modified = parseModTime(replies[k])));
        }
      }
      return entries;
    });
  }

  async stat(path: string): Promise<Entry> {
    const p = normalizePath(path);
    if (p === '/') return { name: '', path: '/', type: 'dir', size: 0, modified: null };
    return this.run('look up', p, undefined, async (c, where) => {
      // Both at once: a file answers both, a folder refuses both (then CWD tells it from a missing path).
      const [size, mdtm] = await c.askMany([`SIZE ${p}`, `MDTM ${p}`]);
      if (size.code === 213) return fileFacts(p, size, mdtm);
      const cwd = await c.ask(`CWD ${p}`);
      if (positive(cwd)) return { name: basename(p), path: p, type: 'dir', size: 0, modified: null };
      throw await notFound(c, p, where);
    });
  }

  async read(path: string, opts: ReadOptions = {}): Promise<Readable> {
    const p = normalizePath(path);
    const start = opts.start ?? 0;
    const limit = opts.end === undefined ? Infinity : opts.end - start;
    if (limit <= 0) return Readable.from([]);
    const where = this.where('read', p);
    const client = await this.acquire(where, opts.signal);
    let released = false;
    const done = (discard: boolean) => {
      if (released) return;
      released = true;
      this.pool.release(client, discard);
    };
    const explain = async (e: unknown): Promise<Error> => {
      if (client.closed) return ftpError(e, where);
      const kind = await kindOf(client, p);
      if (kind === 'dir') return failure('IS_A_DIRECTORY', 'it is a folder', p, where);
      if (kind === 'missing') return notFound(client, p, where);
      return ftpError(e, where).code === 'NOT_FOUND' ? failure('PERMISSION_DENIED', String((e as Error).message), p, where) : ftpError(e, where);
    };
    // The source's re-check after a whole read (../final-facts.ts): asked before the transfer's last reply.
    const factsAfter = {
      commands: [`SIZE ${p}`, `MDTM ${p}`],
      parse: ([size, mdtm]: Reply[]): Entry => {
        if (size.code !== 213) throw new Error(`SIZE: ${size.code} ${size.message}`);
        return fileFacts(p, size, mdtm);
      },
    };
    return retrieve(client, p, start, limit, explain, done, opts.signal, () => cancelled(where), factsAfter);
  }

  async write(path: string, source: Readable, opts: WriteOptions = {}): Promise<WriteResult> {
    const p = normalizePath(path);
    const offset = opts.offset ?? 0;
    return this.run(offset ? 'resume writing' : 'write', p, opts.signal, async (c, where) => {
      if (offset > 0) {
        const size = await c.ask(`SIZE ${p}`);
        if (size.code !== 213) throw await notFound(c, p, where);
        if (parseSize(size) < offset) throw failure('INVALID_INPUT', `the file has ${parseSize(size)} bytes, fewer than the resume offset ${offset}`, p, where);
      }
      let sourceError: unknown;
      // Seen first: a failing source makes storeFile close the connection and reject; that rejection must
      // then report the source's error, not FTP's.
      source.once('error', (err) => {
        sourceError ??= err;
      });
      const settled = c.ftp.hasTLS ? c.nextDataSettled() : undefined;
      // The time is set right behind the upload (one round trip less); after a resume, once its size is checked.
      const setTime = opts.modified && offset === 0 ? modTimeCommand(c, p, opts.modified) : undefined;
      // The size the server now holds comes back with the 226 as well, so verifying it costs no stat
      // (SIZE and MDTM, one more round trip per file) afterwards. After a resume it is asked below.
      const then = [...(setTime ? [setTime] : []), ...(offset === 0 ? [`SIZE ${p}`] : [])];
      let stored: Stored;
      try {
        stored = await storeFile(c, source, p, offset, then, settled);
      } catch (e) {
        source.destroy(); // stops reading the source (and releases whatever it holds)
        if (sourceError && !opts.signal?.aborted) throw sourceError instanceof FerryError ? sourceError : new FerryError('INTERNAL', `Reading the source for "${p}" failed: ${String((sourceError as Error)?.message ?? sourceError)}`, { cause: sourceError });
        throw await this.explainStore(c, e, p, where);
      }
      const { written, then: replies } = stored;
      const timeReply = setTime ? replies?.[0] : undefined;
      let sizeReply = offset === 0 ? replies?.[setTime ? 1 : 0] : undefined;
      if (offset > 0) {
        // Servers resume by writing from the offset without truncating: a longer old tail would survive.
        sizeReply = await c.ask(`SIZE ${p}`);
        if (sizeReply.code === 213 && parseSize(sizeReply) !== offset + written) {
          throw failure('CONFLICT', `the server kept ${parseSize(sizeReply) - offset - written} old bytes after the resumed data`, p, where);
        }
      }
      if (timeReply) await this.checkModTime(c, p, timeReply, where, true);
      else if (opts.modified) await this.applyModTime(c, p, opts.modified, where, true);
      // No SIZE answer (a server that takes no pipelined commands, or refuses SIZE): the engine stats instead.
      return { size: offset + written, ...(sizeReply?.code === 213 ? { storedSize: parseSize(sizeReply) } : {}) };
    });
  }

  async mkdir(path: string): Promise<void> {
    const p = normalizePath(path);
    if (p === '/') return;
    await this.run('create the folder', p, undefined, (c, where) => this.makeDir(c, p, where));
  }

  async remove(path: string): Promise<void> {
    const p = normalizePath(path);
    await this.run('delete', p, undefined, async (c, where) => {
      const reply = await c.ask(`DELE ${p}`);
      if (positive(reply)) return;
      const kind = await kindOf(c, p);
      if (kind === 'dir') throw failure('IS_A_DIRECTORY', 'it is a folder', p, where);
      if (kind === 'missing') throw await notFound(c, p, where);
      throw refused(reply, where, 'PERMISSION_DENIED');
    });
  }

  async rmdir(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    const p = normalizePath(path);
    if (p === '/') throw new FerryError('INVALID_INPUT', `The root folder of ${this.s.host}:${this.s.port} cannot be deleted`, { detail: { path: p } });
    await this.run('delete the folder', p, undefined, async (c, where) => {
      if (opts.recursive) {
        const kind = await kindOf(c, p);
        if (kind === 'file') throw failure('NOT_A_DIRECTORY', 'it is a file, not a folder', p, where);
        if (kind === 'missing') throw await notFound(c, p, where);
        await this.removeTree(c, p, where);
        return;
      }
      const reply = await c.ask(`RMD ${p}`);
      if (positive(reply)) return;
      const kind = await kindOf(c, p);
      if (kind === 'file') throw failure('NOT_A_DIRECTORY', 'it is a file, not a folder', p, where);
      if (kind === 'missing') throw await notFound(c, p, where);
      await c.ask(`CWD ${p}`);
      if ((await c.list()).some((f) => f.name !== '.' && f.name !== '..')) throw failure('NOT_EMPTY', 'the folder is not empty', p, where);
      throw refused(reply, where, 'PERMISSION_DENIED');
    });
  }

  async rename(from: string, to: string): Promise<void> {
    const [f, t] = [normalizePath(from), normalizePath(to)];
    await this.run('rename', f, undefined, async (c, where) => {
      // RNFR and RNTO together: when RNFR is refused the server refuses the RNTO too ("503 RNFR required").
      const move = async () => {
        const [rnfr, rnto] = await c.askMany([`RNFR ${f}`, `RNTO ${t}`]);
        if (rnfr.code !== 350) {
          if ((await kindOf(c, f)) === 'missing') throw await notFound(c, f, where);
          throw refused(rnfr, where, 'PERMISSION_DENIED');
        }
        return rnto;
      };
      const rnto = await move();
      if (positive(rnto)) return;
      const target = await kindOf(c, t);
      if (target === 'file') {
        // Servers that refuse to replace (IIS, some Windows servers): delete the old file, then move. Not atomic there.
        const dele = await c.ask(`DELE ${t}`);
        if (!positive(dele)) throw refused(dele, { ...where, path: t }, 'PERMISSION_DENIED');
        const again = await move();
        if (positive(again)) return;
        throw refused(again, { ...where, path: t }, 'PERMISSION_DENIED');
      }
      if (target === 'dir') throw failure('ALREADY_EXISTS', `"${t}" is an existing folder`, f, where);
      if ((await kindOf(c, dirname(t))) !== 'dir') throw await notFound(c, t, { ...where, action: 'move to' });
      throw refused(rnto, { ...where, path: t }, 'PERMISSION_DENIED');
    });
  }

  async setModTime(path: string, modified: Date): Promise<void> {
    const p = normalizePath(path);
    await this.run('set the time of', p, undefined, (c, where) => this.applyModTime(c, p, modified, where, false));
  }

  async close(): Promise<void> {
    this.pool.close();
  }

  /**
   * MFMT (RFC draft, most servers) or vsftpd's MDTM with a time argument (mdtm_write, on by default).
   * After a write (`lenient`) a server that can set neither only costs the time, which is logged.
   */
  private async applyModTime(c: FtpClient, p: string, modified: Date, where: FtpWhere, lenient: boolean): Promise<void> {
    await this.checkModTime(c, p, await c.ask(modTimeCommand(c, p, modified)), where, lenient);
  }

  /** The answer to modTimeCommand: 213 is done; otherwise why not (missing file, or no way to set times). */
  private async checkModTime(c: FtpClient, p: string, reply: Reply, where: FtpWhere, lenient: boolean): Promise<void> {
    if (reply.code === 213) return;
    const kind = await kindOf(c, p);
    if (kind === 'missing') throw await notFound(c, p, where);
    const unsupported = failure('UNSUPPORTED', `the server cannot set modification times (${reply.message})`, p, where);
    if (!lenient) throw reply.code === 550 || reply.code >= 500 ? unsupported : refused(reply, where, 'PERMISSION_DENIED');
    this.log.warn('FTP server did not keep the modification time', { host: this.s.host, path: p, reply: reply.message });
  }

  /** mkdir -p with absolute paths: a folder that exists is fine, a file in the way is ALREADY_EXISTS. */
  private async makeDir(c: FtpClient, p: string, where: FtpWhere): Promise<void> {
    if (positive(await c.ask(`CWD ${p}`))) return;
    if (positive(await c.ask(`MKD ${p}`))) return;
    const kind = await kindOf(c, p);
    if (kind === 'dir') return; // made by someone else meanwhile
    if (kind === 'file') throw failure('ALREADY_EXISTS', 'a file with this name exists', p, where);
    const parent = dirname(p);
    if (parent !== '/') {
      try {
        await this.makeDir(c, parent, where);
      } catch (e) {
        if (e instanceof FerryError && e.code === 'ALREADY_EXISTS') throw failure('NOT_A_DIRECTORY', `"${parent}" is a file`, p, where);
        throw e;
      }
    }
    const again = await c.ask(`MKD ${p}`);
    if (!positive(again) && (await kindOf(c, p)) !== 'dir') throw refused(again, where, 'PERMISSION_DENIED');
  }

  private async removeTree(c: FtpClient, dir: string, where: FtpWhere): Promise<void> {
    const cwd = await c.ask(`CWD ${dir}`);
    if (!positive(cwd)) throw refused(cwd, { ...where, path: dir }, 'PERMISSION_DENIED');
    const children = (await c.list()).filter((f) => f.name !== '.' && f.name !== '..');
    for (const child of children) {
      const path = joinPath(dir, child.name);
      // A link to a folder is deleted as a link (DELE), never followed.
      if (child.type === FileType.Directory) await this.removeTree(c, path, where);
      else {
        const reply = await c.ask(`DELE ${path}`);
        if (!positive(reply)) throw refused(reply, { ...where, path }, 'PERMISSION_DENIED');
      }
    }
    const rmd = await c.ask(`RMD ${dir}`);
    if (!positive(rmd)) throw refused(rmd, { ...where, path: dir }, 'PERMISSION_DENIED');
  }

  /** Why a STOR failed: a missing parent folder, a folder in the way, or the server's own reason. */
  private async explainStore(c: FtpClient, e: unknown, p: string, where: FtpWhere): Promise<FerryError> {
    const mapped = ftpError(e, where);
    if (c.closed || !['NOT_FOUND', 'INVALID_NAME', 'PERMISSION_DENIED'].includes(mapped.code)) return mapped;
    if ((await kindOf(c, p)) === 'dir') return failure('IS_A_DIRECTORY', 'a folder with this name exists', p, where);
    if ((await kindOf(c, dirname(p))) !== 'dir') return notFound(c, p, where);
    return mapped;
  }

  private where(action: string, path: string): FtpWhere {
    return { host: this.s.host, port: this.s.port, path, action };
  }

  private async acquire(where: FtpWhere, signal?: AbortSignal): Promise<FtpClient> {
    try {
      return await this.pool.acquire(signal);
    } catch (e) {
      throw signal?.aborted ? cancelled(where) : ftpError(e, where);
    }
  }

  /** Runs one operation on a pooled connection; every failure leaves as a FerryError naming host and path. */
  private async run<T>(action: string, path: string, signal: AbortSignal | undefined, fn: (c: FtpClient, where: FtpWhere) => Promise<T>): Promise<T> {
    const where = this.where(action, path);
    try {
      return await this.pool.use((c) => fn(c, where), signal);
    } catch (e) {
      if (signal?.aborted) throw cancelled(where);
      throw ftpError(e, where);
    }
  }
}

/** MFMT where FEAT lists it (most servers), else vsftpd's MDTM with a time argument (mdtm_write, on by default). */
function modTimeCommand(c: FtpClient, p: string, modified: Date): string {
  const stamp = formatModTime(modified);
  return c.serverFeatures.has('MFMT') ? `MFMT ${stamp} ${p}` : `MDTM ${stamp} ${p}`;
}

/** MDTM commands sent together while listing: small enough to sit in the server's input buffer. */
const MDTM_BATCH = 64;

/** A file's entry from its SIZE (213) and MDTM replies. */
function fileFacts(p: string, size: Reply, mdtm: Reply): Entry {
  return { name: basename(p), path: p, type: 'file', size: parseSize(size), modified: parseModTime(mdtm) };
}

function cancelled(where: FtpWhere): FerryError {
  return new FerryError('CANCELLED', `Cancelled: ${where.action ?? 'access'} "${where.path}" on ${where.host}:${where.port}`, { detail: { path: where.path } });
}

function toEntry(dir: string, f: FileInfo): Entry {
  const type = f.type === FileType.File ? 'file' : f.type === FileType.Directory ? 'dir' : f.type === FileType.SymbolicLink ? 'symlink' : 'other';
  return {
    name: f.name,
    path: joinPath(dir, f.name),
    type,
    size: type === 'dir' ? 0 : f.size,
    // MLSD's "modify" fact is exact (UTC); LIST's text is not, and is replaced by MDTM for files.
    modified: f.modifiedAt ? f.modifiedAt.toISOString() : null,
  };
}
