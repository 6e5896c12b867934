import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, truncateSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalConnector, localManifest } from '../../electron/core/connectors/local';
import type { ConnectorManifest, WriteOptions, WriteResult } from '../../electron/core/connectors/types';
import type { Entry, HashType } from '../../shared/connectors';
import { joinPath } from '../../shared/paths';
import type { ConflictPolicy } from '../../shared/transfers';
import { bytes, cleanup, makeHarness, md5, readTree, tempOf, tmp, writeTree, type Harness } from './support';

let h: Harness;
const dirs: string[] = [];
const scratch = (label: string) => {
  const d = tmp(label);
  dirs.push(d);
  return d;
};
afterEach(async () => {
  await h?.close();
  cleanup(h.dir, ...dirs.splice(0));
});

/**
 * A real local connector whose listing also reports names a hostile or broken server could send. Each
 * hostile name points at a real file (evil.txt) in the real folder: reading works, only the name is bad.
 */
class HostileConnector extends LocalConnector {
  override async list(path: string, opts?: { signal?: AbortSignal }): Promise<Entry[]> {
    const entries = await super.list(path, opts);
    const evil = entries.find((e) => e.name === 'evil.txt');
    if (!evil) return entries;
    const hostile = ['../escape.txt', '..', 'a/../../b.txt', 'back\\slash.txt', 'C:\\win.txt', 'nul\0.txt', ''];
    return [...entries.filter((e) => e !== evil), ...hostile.map((name) => ({ ...evil, name }))];
  }
}
const hostileManifest: ConnectorManifest = { ...localManifest, type: 'local', connect: async () => new HostileConnector(localManifest.capabilities) };

/**
 * Models a corrupting destination (a disk or server that stores something other than what it was sent):
 * a real local connector that flips one byte of what it writes, and reports the md5 of what it really
 * stored, as a server with checksums would.
 */
class CorruptingConnector extends LocalConnector {
  override async write(path: string, source: Readable, opts?: WriteOptions): Promise<WriteResult> {
    let seen = 0;
    const flip = new Transform({
      transform(chunk: Buffer, _e, cb) {
        const copy = Buffer.from(chunk);
        if (seen <= 1000 && seen + copy.length > 1000) copy[1000 - seen] ^= 0xff;
        seen += copy.length;
        cb(null, copy);
      },
    });
    source.on('error', (e) => flip.destroy(e));
    return super.write(path, source.pipe(flip), opts);
  }
  async hash(path: string, _type: HashType): Promise<string | null> {
    const hash = createHash('md5');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }
}
/**
 * A destination that loses the last byte of what it is sent (a short write it does not admit), and reports
 * the size it really holds at the end of the write, as the SFTP connector does with its fstat.
 */
class ShortStoringConnector extends LocalConnector {
  override async write(path: string, source: Readable, opts?: WriteOptions): Promise<WriteResult> {
    const r = await super.write(path, source, opts);
    truncateSync(path, r.size - 1);
    return { ...r, storedSize: r.size - 1 };
  }
}
const shortManifest: ConnectorManifest = { ...localManifest, type: 'local', connect: async () => new ShortStoringConnector(localManifest.capabilities) };
const corruptCaps = { ...localManifest.capabilities, hashes: ['md5' as const] };
const corruptManifest: ConnectorManifest = { ...localManifest, type: 'local', capabilities: corruptCaps, connect: async () => new CorruptingConnector(corruptCaps) };

describe('names that would escape the destination, or that this file system cannot hold', () => {
  it('refuses hostile names from a listing, per file, and writes nothing outside the chosen folder', async () => {
    h = makeHarness({ extra: { hostile: hostileManifest } });
    const root = scratch('ferry-root-');
    const src = joinPath(root, 'src');
    const dst = joinPath(root, 'out', 'dst');
    writeTree(root, { 'src/ok.txt': 'fine', 'src/evil.txt': 'EVIL', 'out/dst/': '' });
    const plan = await h.engine.plan({ kind: 'copy', source: { endpoint: 'hostile', paths: [src] }, destination: { endpoint: 'local', path: dst }, conflict: 'overwrite' });
    const refused = plan.items.filter((i) => i.reason?.startsWith('Refused'));
    expect(refused).toHaveLength(7);
    expect(refused.every((i) => i.action === 'skip')).toBe(true);

    const job = await h.engine.wait((await h.engine.create({ planId: plan.id })).id);
    expect(job.state).toBe('failed');
    expect(job.failedFiles).toBe(7);
    expect(job.doneFiles).toBe(1);
    const codes = h.engine.get(job.id).files.filter((f) => f.state === 'failed').map((f) => f.error?.code).sort();
    expect(codes).toEqual(['INVALID_NAME', 'INVALID_NAME', 'PATH_ESCAPE', 'PATH_ESCAPE', 'PATH_ESCAPE', 'PATH_ESCAPE', 'PATH_ESCAPE']);
    // Only the safe file arrived, inside the destination; nothing landed next to or above it.
    expect(readTree(root)).toEqual({ 'src/ok.txt': 'fine', 'src/evil.txt': 'EVIL', 'out/dst/src/ok.txt': 'fine' });
    // Retrying does not send a refused name after all.
    await h.engine.retry(job.id);
    expect((await h.engine.wait(job.id)).failedFiles).toBe(7);
  });

  it('refuses names a Windows file system cannot hold when the destination is this computer', async () => {
    h = makeHarness({ engine: { platform: 'win32' } });
    const src = scratch('ferry-src-');
    const dst = scratch('ferry-dst-');
    writeTree(src, { 'aux.txt': '1', 'a<b.txt': '2', 'trailing.': '3', 'ok.txt': '4', 'sub/what?.txt': '5' });
    const plan = await h.engine.plan({ kind: 'copy', source: { endpoint: 'local', paths: [join(src, '*')] }, destination: { endpoint: 'local', path: dst } });
    const byName = Object.fromEntries(plan.items.map((i) => [i.relPath, i.reason ?? i.action]));
    expect(byName['ok.txt']).toBe('copy');
    for (const bad of ['aux.txt', 'a<b.txt', 'trailing.', 'sub/what?.txt']) expect(byName[bad]).toMatch(/^Cannot create .* on this computer/);
    const job = await h.engine.wait((await h.engine.create({ planId: plan.id })).id);
    expect(h.engine.get(job.id).files.filter((f) => f.state === 'failed').every((f) => f.error?.code === 'INVALID_NAME')).toBe(true);
    expect(readTree(dst)).toEqual({ 'ok.txt': '4' });
  });
});

describe('no partial file under the final name', () => {
  const policies: Array<{ policy: ConflictPolicy; before: Buffer | null }> = [
    { policy: 'overwrite', before: null },
    { policy: 'overwrite', before: Buffer.from('the old version') },
    { policy: 'rename', before: Buffer.from('the old version') },
    { policy: 'if-changed', before: Buffer.from('the old version') },
    { policy: 'resume', before: null /* set below: a prefix of the source */ },
  ];

  it.each(policies.map((p, i) => [p.policy, p.before ? 'over an older file' : 'onto nothing', i] as const))(
    '%s %s: the final name only ever shows a whole file',
    async (policy, _what, i) => {
      h = makeHarness({ extra: { other: { ...localManifest, type: 'local' } } });
      const src = scratch('ferry-src-');
      const dst = scratch('ferry-dst-');
      const content = bytes(240_000);
      const before = policy === 'resume' ? content.subarray(0, 60_000) : policies[i].before;
      writeTree(src, { 'f.bin': content });
      if (before) writeTree(dst, { 'f.bin': before });
      const finalNames = policy === 'rename' ? ['f.bin', 'f (1).bin'] : ['f.bin'];
      const allowed = new Set([md5(content), ...(before ? [md5(before)] : [])]);
      const seen = new Set<string>();
      const names = new Set<string>();
      const sample = () => {
        for (const n of readdirSync(dst)) names.add(n);
        for (const n of finalNames) {
          try {
            seen.add(md5(readFileSync(join(dst, n))));
          } catch {
            // absent right now: fine
          }
        }
      };
      const poll = setInterval(sample, 3);
      let jobId = '';
      try {
        const job = await h.engine.create({
          spec: { kind: 'copy', source: { endpoint: 'other', paths: [join(src, 'f.bin')] }, destination: { endpoint: 'local', path: dst }, conflict: policy, bwlimit: 200_000 },
        });
        jobId = job.id;
        expect((await h.engine.wait(job.id)).state).toBe('done');
      } finally {
        clearInterval(poll);
      }
      sample();
      expect([...seen].filter((s) => !allowed.has(s))).toEqual([]);
      expect(seen.has(md5(content))).toBe(true);
      // The bytes went through a hidden temp name next to the destination, gone once renamed into place.
      expect([...names]).toContain(tempOf(finalNames.at(-1) as string, jobId));
      expect(readdirSync(dst).filter((n) => n.endsWith('.ferry-part'))).toEqual([]);
    },
  );
});

describe('verification', () => {
  it('a destination that stores other bytes than were sent fails the file loudly and keeps the source', async () => {
    h = makeHarness({ extra: { corrupt: corruptManifest } });
    const src = scratch('ferry-src-');
    const dst = scratch('ferry-dst-');
    const content = bytes(50_000);
    writeTree(src, { 'f.bin': content, 'small.txt': 'tiny' });
    const job = await h.engine.wait(
      (await h.engine.create({ spec: { kind: 'move', source: { endpoint: 'local', paths: [join(src, '*')] }, destination: { endpoint: 'corrupt', path: dst } } })).id,
    );
    expect(job.state).toBe('failed');
    expect(job.error).toMatchObject({ code: 'CHECKSUM_MISMATCH', message: expect.stringContaining('1 of 2 files failed') });
    const f = h.engine.get(job.id).files.find((x) => x.relPath === 'f.bin')!;
    expect(f).toMatchObject({ state: 'failed', attempts: 2, error: { code: 'CHECKSUM_MISMATCH' } });
    expect(f.error!.message).toContain(join(dst, 'f.bin'));
    // Nothing under the final name, no temp file left, the source still there (a move deletes only after a verified write).
    expect(readdirSync(dst)).toEqual(['small.txt']);
    expect(readFileSync(join(src, 'f.bin')).equals(content)).toBe(true);
    expect(existsSync(join(src, 'small.txt'))).toBe(false);
  });

  it('a destination that reports holding fewer bytes than were sent fails the file on size, with no hash to compare', async () => {
    h = makeHarness({ extra: { short: shortManifest } });
    const src = scratch('ferry-src-');
    const dst = scratch('ferry-dst-');
    writeTree(src, { 'f.bin': bytes(20_000) });
    const job = await h.engine.wait((await h.engine.create({ spec: { kind: 'copy', source: { endpoint: 'local', paths: [join(src, 'f.bin')] }, destination: { endpoint: 'short', path: dst } } })).id);
    expect(job.state).toBe('failed');
    const f = h.engine.get(job.id).files[0];
    expect(f).toMatchObject({ state: 'failed', error: { code: 'CHECKSUM_MISMATCH' } });
    expect(f.error!.message).toContain('holds 19999 bytes, 20000 were sent');
    expect(readdirSync(dst)).toEqual([]);
  });
});
