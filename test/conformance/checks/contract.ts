import { expect } from 'vitest';
import { CapabilitiesSchema } from '../../../shared/connectors';
import type { SuiteContext } from '../context';

/** The connector declares what it has and has what it declares: optional methods exist exactly when declared. */
export function contractChecks({ c, caps, target, check }: SuiteContext): void {
  check('capabilities match the manifest', null, async () => {
    expect(CapabilitiesSchema.parse(c().capabilities)).toEqual(target.capabilities);
  });

  check('optional operations exist exactly when declared', null, async () => {
    const conn = c();
    const declared = {
      rename: caps.rename,
      copy: caps.serverSideCopy,
      setModTime: caps.modTime.settable,
      hash: caps.hashes.length > 0,
    };
    const present = {
      rename: typeof conn.rename === 'function',
      copy: typeof conn.copy === 'function',
      setModTime: typeof conn.setModTime === 'function',
      hash: typeof conn.hash === 'function',
    };
    expect(present).toEqual(declared);
    // A rename that replaces atomically is still a rename.
    if (caps.atomicRename) expect(caps.rename).toBe(true);
  });

  check('close: safe to call twice', null, async () => {
    const second = await target.connect();
    await second.close();
    await second.close();
  });

  check('home is an absolute path', null, async () => {
    const home = await c().home();
    expect(home.startsWith('/')).toBe(true);
  });
}
