import { expect } from 'vitest';
import { HASH_TYPES } from '../../../shared/connectors';
import { joinPath } from '../../../shared/paths';
import type { Entry } from '../../../shared/connectors';
import { needs, type SuiteContext } from '../context';
import { hashOf, put, randomData } from '../helpers';

/** Clocks of a server on this machine agree; a remote one may be off by this much. */
const CLOCK_SLACK_MS = 120_000;

function modifiedMs(entry: Entry): number {
  expect(entry.modified, `${entry.path} has no modification time`).not.toBeNull();
  const ms = Date.parse(entry.modified!);
  expect(Number.isNaN(ms), `${entry.path} modified "${entry.modified}"`).toBe(false);
  return ms;
}

export function metadataChecks({ c, caps, fresh, check }: SuiteContext): void {
  const precision = Math.max(caps.modTime.precisionMs, 1);
  const settable = needs('modTime.settable', caps.modTime.settable);
  // Sub-second on purpose: a connector that declares 1 ms must keep the milliseconds.
  const when = new Date('2021-03-04T05:06:07.891Z');

  check('modTime: reported at the declared precision', needs('modTime.precisionMs > 0', caps.modTime.precisionMs > 0), async () => {
    const path = joinPath(await fresh('modtime reported'), 'now.txt');
    const before = Date.now();
    await put(c(), path, 'now');
    const after = Date.now();
    const ms = modifiedMs(await c().stat(path));
    expect(ms).toBeGreaterThan(before - precision - CLOCK_SLACK_MS);
    expect(ms).toBeLessThan(after + precision + CLOCK_SLACK_MS);
  });

  check('modTime: set on write', settable, async () => {
    const dir = await fresh('modtime write');
    await put(c(), joinPath(dir, 'dated.txt'), 'dated', { modified: when });
    const stat = await c().stat(joinPath(dir, 'dated.txt'));
    expect(Math.abs(modifiedMs(stat) - when.getTime())).toBeLessThan(precision);
    const [listed] = await c().list(dir);
    expect(Math.abs(modifiedMs(listed) - when.getTime())).toBeLessThan(precision);
  });

  check('modTime: setModTime', settable, async () => {
    const path = joinPath(await fresh('modtime set'), 'later.txt');
    await put(c(), path, 'later');
    await c().setModTime!(path, when);
    expect(Math.abs(modifiedMs(await c().stat(path)) - when.getTime())).toBeLessThan(precision);
  });

  for (const type of HASH_TYPES) {
    check(`hash: ${type}`, needs(`hashes.${type}`, caps.hashes.includes(type)), async () => {
      const path = joinPath(await fresh(`hash ${type}`), 'hashed.bin');
      const data = randomData(150_000);
      await put(c(), path, data);
      const expected = hashOf(type, data);
      expect((await c().hash!(path, type))?.toLowerCase()).toBe(expected);
      const reported = (await c().stat(path)).hashes?.[type];
      if (reported !== undefined) expect(reported.toLowerCase(), `stat().hashes.${type}`).toBe(expected);
    });
  }
}
