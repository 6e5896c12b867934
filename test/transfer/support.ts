import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import type { ConnectorManifest, Logger } from '../../electron/core/connectors/types';
import { LocalConnector, localManifest } from '../../electron/core/connectors/local';
import { EndpointPool } from '../../electron/core/endpoint-pool';
import { openDatabase, type Db } from '../../electron/core/store/db';
import { TransferEngine, type TransferEngineOptions } from '../../electron/core/transfer/engine';
import { TRANSFER_MIGRATIONS } from '../../electron/core/transfer/schema';
import { writerTag } from '../../electron/core/transfer/names';
import { FileTrustStore } from '../../electron/core/trust/file-trust-store';
import type { HashType } from '../../shared/connectors';
import type { OptionValues, Profile } from '../../shared/profiles';
import type { TrustStore } from '../../electron/core/trust/trust-store';

export const quietLog: Logger = { debug() {}, info() {}, warn() {} };

export function tmp(label = 'ferry-transfer-'): string {
  return mkdtempSync(join(tmpdir(), label));
}

/** Writes files (relative path -> content) under `root`; a trailing "/" makes an empty folder. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = join(root, rel);
    if (rel.endsWith('/')) {
      mkdirSync(p, { recursive: true });
      continue;
    }
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

/** Every file under `root` (relative path -> content as a latin1 string, so binary compares exactly). */
export function readTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(root, p).split('\\').join('/')] = readFileSync(p, 'latin1');
    }
  };
  walk(root);
  return out;
}

export function listDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      out.push(relative(root, join(dir, e.name)));
      walk(join(dir, e.name));
    }
  };
  walk(root);
  return out.sort();
}

/**
 * A local folder that reports the md5 of what it stores, as a server with checksums does: the engine then
 * hashes what it streams and compares. (Plain local folders report no hash and are verified by size.)
 */
class ChecksummingLocal extends LocalConnector {
  async hash(path: string, _type: HashType): Promise<string | null> {
    const hash = createHash('md5');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }
}
const summedCaps = { ...localManifest.capabilities, hashes: ['md5' as const] };
export const checksummingLocalManifest: ConnectorManifest = { ...localManifest, type: 'local', capabilities: summedCaps, connect: async () => new ChecksummingLocal(summedCaps) };

/** The hidden temp name a job writes `name` under (next to it) before the verified rename. */
export const tempOf = (name: string, jobId: string) => `.${name}.${writerTag(jobId)}.ferry-part`;

export const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
export const bytes = (n: number) => randomBytes(n);
export const inode = (p: string) => statSync(p).ino;

export function openTestDb(dir: string): Db {
  return openDatabase(join(dir, 'ferry.db'), TRANSFER_MIGRATIONS);
}

/** A saved profile for an extra endpoint: its connector type, options and secrets. */
export interface TestProfile {
  manifest: ConnectorManifest;
  options?: OptionValues;
  secrets?: Record<string, string>;
}

/**
 * A real endpoint pool: "local" is the local connector; each extra entry is an endpoint id (a profile)
 * served by the given manifest (a real connector, possibly wrapped) with its options and secrets.
 */
export function makeEndpoints(extra: Record<string, ConnectorManifest | TestProfile> = {}, trustDir = join(tmpdir(), 'ferry-test-no-pins'), trust?: TrustStore): EndpointPool {
  const profiles: Record<string, TestProfile> = { local: { manifest: localManifest } };
  for (const [id, p] of Object.entries(extra)) profiles[id] = 'manifest' in p ? p : { manifest: p };
  const store = trust ?? new FileTrustStore(trustDir, null);
  return new EndpointPool({
    manifest: (type) => profiles[type].manifest,
    profile: (id) => ({ id, name: id, type: id, options: profiles[id].options ?? {}, secretsSet: [], createdAt: '', updatedAt: '' }) as unknown as Profile,
    context: (profile) => ({ trust: store, log: quietLog, secret: async (name) => profiles[profile.id]?.secrets?.[name] }),
    log: quietLog,
  });
}

export interface Harness {
  dir: string;
  db: Db;
  endpoints: EndpointPool;
  engine: TransferEngine;
  close(): Promise<void>;
}

/** An engine on a fresh database in a temp folder; fast retries so tests do not wait seconds. */
export function makeHarness(
  opts: { extra?: Record<string, ConnectorManifest | TestProfile>; engine?: Partial<TransferEngineOptions>; dir?: string; trust?: TrustStore } = {},
): Harness {
  const dir = opts.dir ?? tmp();
  const db = openTestDb(dir);
  const endpoints = makeEndpoints(opts.extra, undefined, opts.trust);
  const engine = new TransferEngine({ db, endpoints, log: quietLog, retry: { baseMs: 20, maxMs: 200 }, ...opts.engine });
  return {
    dir,
    db,
    endpoints,
    engine,
    async close() {
      await engine.stop();
      await endpoints.closeAll();
      db.close();
    },
  };
}

export function cleanup(...dirs: string[]): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

/** Polls `fn` until it returns a truthy value (or throws after `ms`). */
export async function until<T>(fn: () => T | Promise<T>, ms = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `manifest`'s connector, with each stream its reads return passed through `onRead` (which returns what the caller gets). */
export function withReads(manifest: ConnectorManifest, onRead: (stream: Readable, path: string) => Readable): ConnectorManifest {
  return {
    ...manifest,
    connect: async (ctx) => {
      const c = await manifest.connect(ctx);
      const read = c.read.bind(c);
      c.read = async (path, opts) => onRead(await read(path, opts), path);
      return c;
    },
  };
}

/**
 * `manifest`'s connector, with `change(path)` run as the first bytes of its first read arrive, as a program
 * still saving the file would change it (the source re-check's tests against real servers).
 */
export function changingOnFirstRead(manifest: ConnectorManifest, change: (path: string) => void): ConnectorManifest {
  let reads = 0;
  return withReads(manifest, (stream, path) => {
    if (++reads === 1) stream.once('data', () => change(path));
    return stream;
  });
}
