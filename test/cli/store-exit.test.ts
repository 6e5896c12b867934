import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FerryCore } from '../../electron/core/app';
import { ferry } from '../support/cli';
import { tempDir } from '../support/temp';

/**
 * A one-shot command leaves the store's write-ahead log to its exit instead of checkpointing it at close:
 * that checkpoint's fsync waited for every dirty page of the file system (half a second after replacing a
 * 1 GiB file). What a user would notice if that went wrong: a command's job or profile missing from the
 * next command, or the app opening a store it cannot read.
 */
describe('the CLI leaves the store to its exit', () => {
  const tmp = tempDir('ferry-cli-store-exit-');
  const home = join(tmp.path, 'home');
  const run = (args: string[]) => ferry(args, { home, env: { FERRY_NO_KEYCHAIN: '1' } });
  afterAll(() => tmp.cleanup());

  it("keeps each command's commits in the log for the next command, and the app reads and checkpoints them", async () => {
    const src = join(tmp.path, 'src');
    mkdirSync(src);
    for (let i = 0; i < 5; i++) writeFileSync(join(src, `f${i}.txt`), `file ${i}\n`);
    expect((await run(['profile', 'add', 'here', '--type', 'local'])).code).toBe(0);
    // The log is still there after the command: it was not checkpointed (and removed) at close.
    expect(existsSync(join(home, 'ferry.db-wal'))).toBe(true);
    expect(statSync(join(home, 'ferry.db-wal')).size).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) {
      const r = await run(['copy', src, join(tmp.path, `dst${i}`)]);
      expect(r.code, r.stderr).toBe(0);
    }
    const jobs = await run(['jobs', '--json']);
    expect(jobs.code, jobs.stderr).toBe(0);
    expect((JSON.parse(jobs.stdout) as Array<{ state: string; doneFiles: number }>).filter((j) => j.state === 'done' && j.doneFiles === 5)).toHaveLength(3);
    expect((await run(['profile', 'list'])).stdout).toMatch(/\bhere\b/);

    // The app (a core closed the usual way) reads the same store and checkpoints the log when it closes.
    const core = new FerryCore({ home, disableKeychain: true });
    expect(core.profiles.list().map((p) => p.name)).toContain('here');
    expect((await core.handlers['jobs.list']({ limit: 200 })).filter((j) => j.state === 'done')).toHaveLength(3);
    await core.close();
    expect(existsSync(join(home, 'ferry.db-wal'))).toBe(false);
  });
});
