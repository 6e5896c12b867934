import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiContract, apiEvents } from '../../shared/api';
import { API_EVENTS, API_METHODS } from '../../shared/api-names';
import { FerryCore } from '../../electron/core/app';
import { dispatch } from '../../electron/core/api/dispatch';
import { tempDir } from '../support/temp';

describe('the API surface', () => {
  const home = tempDir();
  let core: FerryCore;
  beforeAll(() => {
    core = new FerryCore({ home: home.path });
  });
  afterAll(async () => {
    await core.close();
    home.cleanup();
  });

  it('the preload allowlist and the contract name the same methods and events', () => {
    expect([...API_METHODS].sort()).toEqual(Object.keys(apiContract).sort());
    expect([...API_EVENTS].sort()).toEqual(Object.keys(apiEvents).sort());
  });

  it('every contract method has a handler in the core', () => {
    expect(Object.keys(core.handlers).sort()).toEqual(Object.keys(apiContract).sort());
  });

  it('an unknown method comes back as INVALID_INPUT data, not a thrown stack', async () => {
    const r = await dispatch(core.handlers, 'fs.format', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('invalid input is refused with the field named', async () => {
    const r = await dispatch(core.handlers, 'fs.list', { endpoint: 'local', path: 42 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/path/);
  });

  it('errors cross as code, message and detail', async () => {
    const r = await dispatch(core.handlers, 'fs.stat', { endpoint: 'local', path: `${home.path}/nope` });
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', retryable: false } });
  });

  it('lists connectors with their declared options and capabilities', async () => {
    const r = await dispatch(core.handlers, 'connectors.list', {});
    expect(r.ok).toBe(true);
    if (r.ok) {
      const types = (r.result as Array<{ type: string }>).map((c) => c.type);
      expect(types).toEqual(expect.arrayContaining(['local', 'sftp']));
    }
  });
});
