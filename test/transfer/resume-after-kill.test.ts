import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { LocalConnector, localManifest } from '../../electron/core/connectors/local';
import type { ConnectorManifest, ReadOptions } from '../../electron/core/connectors/types';
import { bytes, checksummingLocalManifest, cleanup, makeHarness, tempOf, tmp, until, writeTree, type Harness } from './support';

let h: Harness | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.close();
  cleanup(...dirs.splice(0));
});

/** The real local connector, recording every read (path and start offset) the new process makes. */
const reads: Array<{ path: string; start: number }> = [];
class RecordingConnector extends LocalConnector {
  override async read(path: string, opts?: ReadOptions): Promise<Readable> {
    reads.push({ path, start: opts?.start ?? 0 });
    return super.read(path, opts);
  }
}
const recording: ConnectorManifest = { ...localManifest, type: 'local', connect: async () => new RecordingConnector(localManifest.capabilities) };

it('a process killed mid-job resumes in the next one: finished files are not sent again, the partial file continues at its offset', async () => {
  const [store, src, dst] = [tmp('ferry-store-'), tmp('ferry-src-'), tmp('ferry-dst-')];
  dirs.push(store, src, dst);
  const content = { 'a.bin': bytes(100_000), 'b.bin': bytes(100_000), 'c.bin': bytes(1_500_000) };
  writeTree(src, content);

  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'engine-child.ts'), store, src, dst], {
    cwd: join(import.meta.dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const jobId = (await until(() => out.match(/"jobId":"([^"]+)"/)?.[1], 30_000, `the child's job id (stderr: ${err})`)) as string;
    const partial = join(dst, tempOf('c.bin', jobId));
    await until(() => {
      try {
        return statSync(partial).size > 300_000;
      } catch {
        return false;
      }
    }, 20_000, 'c.bin partly written');
    child.kill('SIGKILL');
    await exited;

    const before = { a: statSync(join(dst, 'a.bin')), b: statSync(join(dst, 'b.bin')) };
    const offset = statSync(partial).size;
    expect(offset).toBeGreaterThan(300_000);
    expect(offset).toBeLessThan(1_500_000);

    // The new process's destination reports md5s, so the resumed file's md5 covers the kept prefix too.
    h = makeHarness({ dir: store, extra: { other: recording, local: checksummingLocalManifest } });
    // Its process is gone: the job is seen as interrupted, and this process may take it over.
    expect(h.engine.get(jobId).job.state).toBe('interrupted');
    h.engine.start();
    const done = await h.engine.wait(jobId);
    expect(done).toMatchObject({ state: 'done', doneFiles: 3, doneBytes: 1_700_000 });

    // Only c.bin was read again, from where the partial file ended; a and b were left as they were.
    expect(reads).toEqual([{ path: join(src, 'c.bin'), start: offset }]);
    expect(statSync(join(dst, 'a.bin')).ino).toBe(before.a.ino);
    expect(statSync(join(dst, 'b.bin')).mtimeMs).toBe(before.b.mtimeMs);
    const c = h.engine.details(jobId).files[2];
    expect(c).toMatchObject({ state: 'done', resumedFrom: offset, verified: 'md5' });
    for (const [name, data] of Object.entries(content)) expect(readFileSync(join(dst, name)).equals(data)).toBe(true);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
