import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinPath } from '../../shared/paths';
import type { Connector } from '../../electron/core/connectors/types';
import type { ConformanceTarget, Requirement, SuiteContext } from './context';
import { contractChecks } from './checks/contract';
import { listingChecks } from './checks/listing';
import { readWriteChecks } from './checks/read-write';
import { folderChecks } from './checks/folders';
import { moveChecks } from './checks/moves';
import { metadataChecks } from './checks/metadata';
import { nameChecks } from './checks/names';

export type { ConformanceTarget } from './context';

/**
 * One conformance suite, written once, run against every connector (like rclone's fstests).
 *
 * Titles follow a fixed pattern so scripts/conformance-table.mjs can build a results table:
 *   describe(`conformance: ${name}`) > it(`${check}`)
 * A check the connector's capabilities rule out is registered as skipped with the title
 *   `${check} [skipped: capability ${capability} not declared]`,
 * an exempted one as `${check} [skipped: exempt: ${reason}]`. Nothing is faked.
 *
 * Like the engine's pool, the suite never calls one connector concurrently; where it works in parallel it
 * connects more (at most 8, within capabilities.maxConnections).
 *
 * Capabilities come from `target.capabilities` (the manifest) because vitest decides skips while collecting,
 * before anything connects; one check verifies the connected connector reports the same capabilities.
 */
export function describeConformance(name: string, target: () => Promise<ConformanceTarget>): void {
  describe(`conformance: ${name}`, async () => {
    let t: ConformanceTarget;
    try {
      t = await target();
    } catch (e) {
      // The target could not even be described (e.g. its server did not start): one failing check says so.
      it('target', () => {
        throw e;
      });
      return;
    }
    registerChecks(t);
  });
}

function registerChecks(target: ConformanceTarget): void {
  const caps = target.capabilities;
  const runRoot = joinPath(target.root, `ferry-conformance-${randomUUID().slice(0, 8)}`);
  let connector: Connector | undefined;
  let folders = 0;
  const registered = new Set<string>();

  // A failing beforeAll would leave every check "skipped" in the results; instead each check fails with this.
  let setupError: unknown;
  beforeAll(async () => {
    try {
      connector = await target.connect();
      await connector.mkdir(runRoot);
    } catch (e) {
      setupError = e;
    }
  });

  afterAll(async () => {
    if (!connector) return;
    try {
      await connector.rmdir(runRoot, { recursive: true });
    } catch {
      // Cleanup is best effort; a failing rmdir is already reported by its own check.
    } finally {
      await connector.close();
    }
  });

  const ctx: SuiteContext = {
    caps,
    target,
    c() {
      if (setupError !== undefined || !connector) {
        throw new Error(`could not connect and create ${runRoot}: ${setupError instanceof Error ? setupError.message : String(setupError)}`, { cause: setupError });
      }
      return connector;
    },
    async fresh(label: string) {
      const slug = label.replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
      const dir = joinPath(runRoot, `${++folders}-${slug}`);
      await ctx.c().mkdir(dir);
      return dir;
    },
    check(name: string, requires: Requirement | Requirement[] | null, fn: () => Promise<void>, timeoutMs?: number) {
      registered.add(name);
      const exemption = target.exemptions?.[name];
      const missing = (Array.isArray(requires) ? requires : requires ? [requires] : []).find((r) => !r.met);
      if (exemption !== undefined) it.skip(`${name} [skipped: exempt: ${exemption}]`, fn);
      else if (missing) it.skip(`${name} [skipped: capability ${missing.capability} not declared]`, fn);
      else it(name, fn, timeoutMs);
    },
  };

  contractChecks(ctx);
  listingChecks(ctx);
  readWriteChecks(ctx);
  folderChecks(ctx);
  moveChecks(ctx);
  metadataChecks(ctx);
  nameChecks(ctx);

  // An exemption for a check that does not exist is a typo that would silently exempt nothing.
  const unknown = Object.keys(target.exemptions ?? {}).filter((n) => !registered.has(n));
  it('exemptions name existing checks', () => {
    expect(unknown, `unknown checks in exemptions; known: ${[...registered].join(', ')}`).toEqual([]);
  });
}
