import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ferry } from '../support/cli';
import { tempDir } from '../support/temp';

/**
 * Names come from servers (or from whoever wrote the files): the CLI's human output must never pass their
 * control characters to the terminal (ESC sequences recolour, move the cursor, retitle the window; a newline
 * fakes a line; U+202E reverses text). They are shown as visible escapes; --json stays exact.
 * Linux allows every byte but "/" and NUL in a name, so a local folder serves as the hostile server here.
 */
const home = tempDir('ferry-cli-esc-');
const run = (args: string[]) => ferry(args, { home: home.path });
afterAll(() => home.cleanup());

const RED = '\x1b[31mred\n';
const RTL = 'invoice\u202eFDP.exe';
const C1 = 'csi\u009b2J';
const BELL = 'dir\x07bell';
const src = join(home.path, 'src');
mkdirSync(src);
writeFileSync(join(src, RED), 'one');
writeFileSync(join(src, RTL), 'two');
writeFileSync(join(src, C1), 'three');
mkdirSync(join(src, BELL));
writeFileSync(join(src, BELL, 'x\ry'), 'four');

/** No raw control character (C0 other than the line breaks the CLI writes itself, DEL, C1) nor bidi control. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('control characters in names are escaped in human output', () => {
  it('the names really are on disk as written', () => {
    expect(readdirSync(src).sort()).toEqual([RED, BELL, C1, RTL].sort());
  });

  it('ferry ls shows \\x1b, \\n, \\u202e... visibly, one line per entry', async () => {
    const r = await run(['ls', src]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(
      expect.arrayContaining(['\\x1b[31mred\\n', 'invoice\\u202eFDP.exe', 'csi\\x9b2J', 'dir\\x07bell/']),
    );
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(4);
  });

  it('ferry ls -l too', async () => {
    const r = await run(['ls', '-l', src]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stdout).toContain('\\x1b[31mred\\n');
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(4);
  });

  it('ferry ls --json stays exact: the parsed names are the real ones (and no raw C1 or bidi control is written)', async () => {
    const r = await run(['ls', '--json', src]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    const names = (JSON.parse(r.stdout) as Array<{ name: string }>).map((e) => e.name).sort();
    expect(names).toEqual([RED, BELL, C1, RTL].sort());
  });

  it('an error naming such a path escapes it', async () => {
    const r = await run(['ls', join(src, 'missing\x1b]0;owned\x07')]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(RAW);
    expect(r.stderr).toContain('missing\\x1b]0;owned\\x07');
  });

  it('a copy job: progress lines, the summary and job show escape the names', async () => {
    const dst = join(home.path, 'dst');
    mkdirSync(dst);
    const r = await run(['copy', src, dst, '-r']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(RAW);
    expect(r.stderr).toContain('\\x1b[31mred\\n');
    expect(r.stderr).toContain('x\\ry');
    expect(readdirSync(join(dst, 'src')).sort()).toEqual([RED, BELL, C1, RTL].sort());
    const jobs = await run(['jobs']);
    expect(jobs.stdout).not.toMatch(RAW);
    const list = JSON.parse((await run(['jobs', '--json'])).stdout) as Array<{ id: string }>;
    const show = await run(['job', 'show', list[0].id]);
    expect(show.code).toBe(0);
    expect(show.stdout).not.toMatch(RAW);
  });
});
