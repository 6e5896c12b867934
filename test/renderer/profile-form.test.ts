import { describe, expect, it } from 'vitest';
import type { ConnectorInfo } from '../../shared/connectors';
import type { Profile } from '../../shared/profiles';
import { formFromProfile, newForm, toInput, validate, visibleOptions } from '../../renderer/src/features/profiles/form-model';

/** The connection form generated from a connector's declared options (renderer/src/features/profiles). */
const sftp: ConnectorInfo = {
  type: 'sftp',
  label: 'SFTP',
  description: '',
  atomicityNote: '',
  capabilities: {
    rangedRead: true, serverSideCopy: false, rename: true, atomicRename: true, atomicWrite: false, resumableWrite: true,
    multipartWrite: false, hashes: [], modTime: { settable: true, precisionMs: 1000 }, emptyDirs: true, bucketBased: false,
    caseInsensitive: false, purge: false, maxConnections: 4, parallelReads: false, sharedReads: false,
  },
  options: [
    { name: 'host', label: 'Host', kind: 'string', required: true },
    { name: 'port', label: 'Port', kind: 'number', default: 22 },
    { name: 'auth', label: 'Auth', kind: 'enum', default: 'password', choices: [{ value: 'password', label: 'Password' }, { value: 'key', label: 'Key' }] },
    { name: 'password', label: 'Password', kind: 'secret', required: true, showIf: { option: 'auth', in: ['password'] } },
    { name: 'keyFile', label: 'Key file', kind: 'file', required: true, showIf: { option: 'auth', in: ['key'] } },
    { name: 'timeout', label: 'Timeout', kind: 'number', advanced: true },
  ],
};

const saved: Profile = {
  id: 'p1', name: 'partner', type: 'sftp', options: { host: 'h', port: 2222, auth: 'password' }, secretsSet: ['password'],
  createdAt: '', updatedAt: '',
};

describe('the generated profile form', () => {
  it('starts a new profile from the declared defaults and shows only options whose showIf matches', () => {
    const f = newForm(sftp);
    expect(f.values).toEqual({ port: 22, auth: 'password' });
    expect(visibleOptions(sftp, f.values).map((o) => o.name)).toEqual(['host', 'port', 'auth', 'password', 'timeout']);
    expect(visibleOptions(sftp, { ...f.values, auth: 'key' }).map((o) => o.name)).toEqual(['host', 'port', 'auth', 'keyFile', 'timeout']);
  });

  it('requires the name, visible required options, and a secret unless one is stored', () => {
    const f = newForm(sftp);
    expect(Object.keys(validate(f, sftp, []))).toEqual(['name', 'host', 'password']);
    const edit = formFromProfile(saved, sftp);
    expect(validate(edit, sftp, saved.secretsSet)).toEqual({});
    expect(Object.keys(validate({ ...edit, cleared: ['password'] }, sftp, saved.secretsSet))).toEqual(['password']);
  });

  it('refuses a profile name with "/" in plain words', () => {
    const errors = validate({ ...formFromProfile(saved, sftp), name: 'a/b' }, sftp, saved.secretsSet);
    expect(errors.name).toMatch(/cannot contain/);
  });

  it('sends only the secrets typed in this form, null for a secret to forget, and never a hidden option', () => {
    const edit = formFromProfile(saved, sftp);
    expect(toInput(edit, sftp)).toEqual({ name: 'partner', type: 'sftp', options: { host: 'h', port: 2222, auth: 'password' } });
    expect(toInput({ ...edit, secrets: { password: 'new' } }, sftp).secrets).toEqual({ password: 'new' });
    expect(toInput({ ...edit, cleared: ['password'] }, sftp).secrets).toEqual({ password: null });
    const toKey = { ...edit, values: { ...edit.values, auth: 'key', keyFile: '/k' }, secrets: { password: 'typed before switching' } };
    const input = toInput(toKey, sftp);
    expect(input.secrets).toBeUndefined();
    expect(input.options).toEqual({ host: 'h', port: 2222, auth: 'key', keyFile: '/k' });
  });

  it('turns a typed number into a number', () => {
    const f = { ...newForm(sftp, 'x'), values: { host: 'h', port: '2200', auth: 'password' } };
    expect(toInput(f, sftp).options.port).toBe(2200);
  });
});
