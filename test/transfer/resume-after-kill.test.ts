import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { LocalConnector, localManifest } from '../../electron/core/connectors/local';
import type { ConnectorManifest, ReadOptions } from '../../electron/core/connectors/types';
import { bytes, checksummingLocalManifest, cleanup, makeHarness, openTestDb, tempOf, tmp, until, writeTree, type Harness } from './support';

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

it("files whose finished state a killed process had not yet committed are found at their destination and counted done, never copied again beside themselves", async () => {
  const [store, src, dst] = [tmp('ferry-store-'), tmp('ferry-src-'), tmp('ferry-dst-')];
  dirs.push(store, src, dst);
  const content = { 'a.bin': bytes(20_000), 'b.bin': bytes(30_000), 'c.bin': bytes(40_000), 'd.bin': bytes(50_000) };
  writeTree(src, content);
  h = makeHarness({ dir: store, extra: { other: recording } });
  h.engine.start();
  // "rename" is the policy that would keep two copies of a file its own earlier run had finished.
  const job = await h.engine.create({ spec: { kind: 'copy', source: { endpoint: 'other', paths: [`${src}/*`] }, destination: { endpoint: 'local', path: dst }, conflict: 'rename', transfers: 2 } });
  expect(await h.engine.wait(job.id)).toMatchObject({ state: 'done', doneFiles: 4 });
  await h.close();

  // What a process killed right after its last renames leaves: the files at their final names, their rows
  // still pending (store.finishFile commits finished states together), the job running with no owner.
  // d.bin's copy was changed since, so it is not this job's copy any more.
  writeFileSync(join(dst, 'd.bin'), bytes(50_001));
  const db = openTestDb(store);
  db.prepare("UPDATE transfer_files SET state = 'pending', bytes_done = 0, verified = NULL WHERE job_id = ? AND rel_path IN ('b.bin', 'c.bin', 'd.bin')").run(job.id);
  db.prepare("UPDATE transfer_jobs SET state = 'running', owner = NULL, heartbeat_at = NULL, finished_at = NULL WHERE id = ?").run(job.id);
  db.close();

  reads.length = 0;
  h = makeHarness({ dir: store, extra: { other: recording } });
  h.engine.start();
  expect(await h.engine.wait(job.id)).toMatchObject({ state: 'done', doneFiles: 4 });
  // b and c were not read again nor copied beside themselves; d, changed, got its renamed copy as the policy says.
  expect(reads.map((r) => r.path)).toEqual([join(src, 'd.bin')]);
  expect(readdirSync(dst).sort()).toEqual(['a.bin', 'b.bin', 'c.bin', 'd (1).bin', 'd.bin']);
  const files = h.engine.details(job.id).files;
  expect(files.filter((f) => f.reason === 'finished by an earlier run of this job').map((f) => f.relPath).sort()).toEqual(['b.bin', 'c.bin']);
  for (const name of ['a.bin', 'b.bin', 'c.bin'] as const) expect(readFileSync(join(dst, name)).equals(content[name])).toBe(true);
  expect(readFileSync(join(dst, 'd (1).bin')).equals(content['d.bin'])).toBe(true);
});
