import { chownSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { LocalConnector, localManifest } from '../../electron/core/connectors/local';
import type { ConnectorManifest, ReadOptions } from '../../electron/core/connectors/types';
import { ftpManifest } from '../../electron/core/connectors/ftp';
import { FerryError } from '../../electron/core/errors';
import type { FtpServerInfo } from '../servers/ftp';
import { server } from '../support/servers';
import { bytes, checksummingLocalManifest, cleanup, makeHarness, md5, readTree, tmp, writeTree, type Harness } from './support';

/**
 * A source that declares parallelReads (as FTP and the object stores do): a real local folder whose
 * connectors record the ranges they read and how many reads overlap, and can drop one range once.
 */
const seen = { ranges: [] as Array<[number, number]>, open: 0, maxOpen: 0, failOnce: -1 };
class RangeRecordingConnector extends LocalConnector {
  override async read(path: string, opts: ReadOptions = {}): Promise<Readable> {
    const start = opts.start ?? 0;
    if (start === seen.failOnce) {
      seen.failOnce = -1;
      throw new FerryError('CONNECTION_LOST', 'The connection dropped (test)', { retryable: true });
    }
    seen.ranges.push([start, opts.end ?? -1]);
    seen.open++;
    seen.maxOpen = Math.max(seen.maxOpen, seen.open);
    const stream = await super.read(path, opts);
    stream.once('close', () => seen.open--);
    return stream;
  }
}
const caps = { ...localManifest.capabilities, parallelReads: true, maxConnections: 8 };
const segmentedSource: ConnectorManifest = { ...localManifest, type: 'local', capabilities: caps, connect: async () => new RangeRecordingConnector(caps) };

let h: Harness;
const dirs: string[] = [];
afterEach(async () => {
  await h?.close();
  cleanup(...dirs.splice(0));
  Object.assign(seen, { ranges: [], open: 0, maxOpen: 0, failOnce: -1 });
});

const SEG = 512 * 1024;

async function copyBig(content: Buffer, streams = 4) {
  h = makeHarness({ extra: { seg: segmentedSource, local: checksummingLocalManifest }, engine: { segments: { minBytes: 2 * SEG, segmentBytes: SEG } } });
  const [src, dst] = [tmp('ferry-seg-src-'), tmp('ferry-seg-dst-')];
  dirs.push(src, dst);
  writeTree(src, { 'big.bin': content, 'small.bin': content.subarray(0, 1000) });
  const job = await h.engine.wait(
    (await h.engine.create({ spec: { kind: 'copy', source: { endpoint: 'seg', paths: [join(src, 'big.bin'), join(src, 'small.bin')] }, destination: { endpoint: 'local', path: dst }, conflict: 'overwrite', streams } })).id,
  );
  return { job, dst, files: h.engine.details(job.id).files };
}

it('reads a large file in ranges on several connections at once and writes it whole, in order, verified by md5', async () => {
  const content = bytes(5 * SEG + 123);
  const { job, dst, files } = await copyBig(content);
  expect(job.state).toBe('done');
  expect(md5(Buffer.from(readTree(dst)['big.bin'], 'latin1'))).toBe(md5(content));
  expect(files.find((f) => f.relPath === 'big.bin')).toMatchObject({ state: 'done', verified: 'md5', size: content.length });
  // Six segments covering the file exactly; more than one read in flight at a time.
  const big = seen.ranges.filter(([, end]) => end !== -1).sort((a, b) => a[0] - b[0]);
  expect(big).toEqual(Array.from({ length: 6 }, (_, k) => [k * SEG, Math.min(content.length, (k + 1) * SEG)]));
  expect(seen.maxOpen).toBeGreaterThan(1);
  // The small file is one plain read.
  expect(seen.ranges.filter(([, end]) => end === -1)).toHaveLength(1);
});

it('by default (one stream per file) the same file is one plain read', async () => {
  const content = bytes(5 * SEG);
  const { job, dst } = await copyBig(content, 1);
  expect(job.state).toBe('done');
  expect(seen.ranges).toEqual([[0, -1], [0, -1]]);
  expect(md5(Buffer.from(readTree(dst)['big.bin'], 'latin1'))).toBe(md5(content));
});

it('a segment whose connection drops fails the try; the retry delivers the whole file', async () => {
  seen.failOnce = 3 * SEG;
  const content = bytes(4 * SEG);
  const { job, dst, files } = await copyBig(content);
  expect(job.state).toBe('done');
  expect(files.find((f) => f.relPath === 'big.bin')).toMatchObject({ state: 'done', attempts: 1, verified: 'md5' });
  expect(md5(Buffer.from(readTree(dst)['big.bin'], 'latin1'))).toBe(md5(content));
  expect(Object.keys(readTree(dst)).filter((n) => n.endsWith('.ferry-part'))).toEqual([]);
});

it('reads a large file from a real FTP server (vsftpd) as REST + RETR ranges on several connections, whole and in order', async () => {
  const info = server<FtpServerInfo>('ftp');
  if (!info) throw new Error('the ftp test server (vsftpd) did not start');
  const name = `seg-${process.pid}.bin`;
  const content = bytes(6 * SEG + 5);
  const remote = join(info.root, name);
  writeTree(info.root, { [name]: content });
  const owner = statSync(info.root);
  chownSync(remote, owner.uid, owner.gid);
  const logBefore = readFileSync(info.logFile, 'utf8').length;
  h = makeHarness({
    extra: { ftp: { manifest: ftpManifest, options: { host: info.host, port: info.port, user: info.user }, secrets: { password: info.password } } },
    engine: { segments: { minBytes: 2 * SEG, segmentBytes: SEG } },
  });
  const dst = tmp('ferry-seg-ftp-');
  dirs.push(dst);
  try {
    const job = await h.engine.wait((await h.engine.create({ spec: { kind: 'copy', source: { endpoint: 'ftp', paths: [`/${name}`] }, destination: { endpoint: 'local', path: dst }, streams: 4 } })).id);
    expect(job.state).toBe('done');
    expect(md5(Buffer.from(readTree(dst)[name], 'latin1'))).toBe(md5(content));
    // The server saw ranged reads: a REST at each segment's offset (the first starts at 0, no REST needed).
    const log = readFileSync(info.logFile, 'utf8').slice(logBefore);
    const rests = [...log.matchAll(/FTP command: Client "[^"]+", "REST (\d+)"/g)].map((m) => Number(m[1]));
    for (let k = 1; k < 7; k++) expect(rests).toContain(k * SEG);
    expect(new Set([...log.matchAll(/\[pid (\d+)\][^\n]*"RETR \/seg-/g)].map((m) => m[1])).size).toBeGreaterThan(1);
  } finally {
    rmSync(remote, { force: true });
  }
});
