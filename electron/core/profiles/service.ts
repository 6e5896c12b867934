import type { Profile, ProfileInput, TestResult } from '../../../shared/profiles';
import type { ConnectorManifest } from '../connectors/types';
import type { EndpointPool } from '../endpoint-pool';
import { FerryError, toErrorData } from '../errors';
import type { SecretVault } from '../secrets/vault';
import type { ProfilesRepo } from '../store/profiles-repo';
import { isSecretOption, normalizeOptions } from './options';

/** Profiles: options to SQLite, secrets to the keychain (or this session's memory), never both. */
export class ProfileService {
  constructor(
    private readonly repo: ProfilesRepo,
    private readonly vault: SecretVault,
    private readonly manifest: (type: string) => ConnectorManifest,
    private readonly pool: EndpointPool,
  ) {}

  list(): Profile[] {
    return this.repo.list();
  }

  get(id: string): Profile {
    return this.repo.get(id);
  }

  /** A profile by id or (case-insensitive) name, for the CLI. */
  resolve(idOrName: string): Profile {
    const byName = this.repo.findByName(idOrName);
    if (byName) return byName;
    try {
      return this.repo.get(idOrName);
    } catch {
      throw new FerryError('NOT_FOUND', `No profile named "${idOrName}" (see: ferry profile list)`, { detail: { profile: idOrName } });
    }
  }

  async create(raw: ProfileInput): Promise<Profile> {
    const input = this.expand(raw);
    const specs = this.manifest(input.type).options;
    const secrets = this.checkSecrets(input);
    const setNames = Object.entries(secrets).filter(([, v]) => v !== null).map(([k]) => k);
    const options = normalizeOptions(specs, input.options, setNames);
    const profile = this.repo.create({ name: input.name, type: input.type, options, secretsSet: setNames });
    try {
      await this.storeSecrets(profile.id, secrets);
    } catch (e) {
      this.repo.remove(profile.id); // no profile without the secrets the user typed
      throw e;
    }
    return profile;
  }

  async update(id: string, raw: ProfileInput): Promise<Profile> {
    const input = this.expand(raw);
    const before = this.repo.get(id);
    const specs = this.manifest(input.type).options;
    const secrets = this.checkSecrets(input);
    const setNames = new Set(before.type === input.type ? before.secretsSet : []);
    for (const [k, v] of Object.entries(secrets)) {
      if (v === null) setNames.delete(k);
      else setNames.add(k);
    }
    const options = normalizeOptions(specs, input.options, [...setNames]);
    await this.storeSecrets(id, secrets);
    if (before.type !== input.type) {
      for (const name of before.secretsSet) if (!setNames.has(name)) await this.vault.delete(id, name);
    }
    const after = this.repo.update(id, { name: input.name, type: input.type, options, secretsSet: [...setNames] });
    await this.pool.reset(id);
    return after;
  }

  async duplicate(id: string, name?: string): Promise<Profile> {
    const src = this.repo.get(id);
    let newName = name ?? `${src.name} copy`;
    for (let i = 2; !name && this.repo.findByName(newName); i++) newName = `${src.name} copy ${i}`;
    const copy = this.repo.create({ name: newName, type: src.type, options: src.options, secretsSet: src.secretsSet });
    for (const s of src.secretsSet) {
      const v = await this.vault.get(id, s);
      if (v !== undefined) await this.vault.set(copy.id, s, v);
    }
    return copy;
  }

  async remove(id: string): Promise<void> {
    const p = this.repo.get(id);
    await this.pool.reset(id);
    for (const s of p.secretsSet) await this.vault.delete(id, s);
    this.repo.remove(id);
    // Again: a connect while the secrets were being deleted may have read the profile back into the pool.
    await this.pool.reset(id);
  }

  /** Connects and lists the home folder; reports each step and a plain-words error. */
  async test(id?: string, input?: ProfileInput): Promise<TestResult> {
    const saved = id ? this.repo.get(id) : undefined;
    const draft = input ? this.expand(input) : saved;
    if (!draft) throw new FerryError('INVALID_INPUT', 'profiles.test needs an id or a profile form');
    const type = draft.type;
    const formSecrets = (input && 'secrets' in draft ? draft.secrets : undefined) ?? {};
    const specs = this.manifest(type).options;
    // Required secrets count as present when stored for the saved profile or typed in the form.
    const secretsSet = [...(saved?.secretsSet ?? []), ...Object.entries(formSecrets).filter(([, v]) => v).map(([k]) => k)];
    const options = normalizeOptions(specs, draft.options, secretsSet);
    const profileId = saved?.id ?? 'unsaved';
    const steps: TestResult['steps'] = [];
    const step = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
      const t0 = Date.now();
      try {
        const r = await f();
        steps.push({ step: name, ok: true, ms: Date.now() - t0 });
        return r;
      } catch (e) {
        steps.push({ step: name, ok: false, ms: Date.now() - t0 });
        throw e;
      }
    };
    let connector;
    try {
      connector = await step('connect', () =>
        this.pool.connectProfile({ id: profileId, name: draft.name, type, options }, undefined, async (name) => {
          if (name in formSecrets) return formSecrets[name] ?? undefined;
          return saved ? this.vault.get(saved.id, name) : undefined;
        }),
      );
      const c = connector;
      const tables = c.tables;
      if (tables) {
        // A database: logged in (its connect includes the login), its version, and the schemas the user sees.
        steps[0].step = 'connect and authenticate';
        const server = tables.server ? await step('server version', () => tables.server!()) : undefined;
        const schemas = await step('list schemas', () => c.list('/'));
        return { ok: true, steps, ...(server ? { server } : {}), schemas: schemas.map((e) => e.name) };
      }
      const home = await step('home', () => connector!.home());
      await step('list', () => connector!.list(home));
      return { ok: true, steps };
    } catch (e) {
      if (steps.length === 1 && !steps[0].ok) steps[0].step = connectStepOf(e);
      return { ok: false, steps, error: toErrorData(e) };
    } finally {
      await connector?.close().catch(() => {});
    }
  }

  /** The connector's rewrite of a form (a PostgreSQL URL into options and the keychain), before anything is checked. */
  private expand(input: ProfileInput): ProfileInput {
    const expandInput = this.manifest(input.type).expandInput;
    if (!expandInput) return input;
    const { options, secrets } = expandInput(input.options, input.secrets ?? {});
    return { ...input, options, ...(Object.keys(secrets).length || input.secrets ? { secrets } : {}) };
  }

  private checkSecrets(input: ProfileInput): Record<string, string | null> {
    const specs = this.manifest(input.type).options;
    const secrets = input.secrets ?? {};
    for (const name of Object.keys(secrets)) {
      const spec = specs.find((s) => s.name === name);
      if (!spec || !isSecretOption(spec)) {
        throw new FerryError('INVALID_INPUT', `"${name}" is not a secret option of ${input.type}`, { detail: { option: name } });
      }
    }
    // An emptied secret field means "forget it".
    return Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, v === '' ? null : v]));
  }

  private async storeSecrets(profileId: string, secrets: Record<string, string | null>): Promise<void> {
    for (const [name, value] of Object.entries(secrets)) {
      if (value === null || value === '') await this.vault.delete(profileId, name);
      else await this.vault.set(profileId, name, value);
    }
  }
}

/** Which part of connecting failed, in the words `ferry profile test` prints. */
function connectStepOf(e: unknown): string {
  const code = e instanceof FerryError ? e.code : undefined;
  if (code === 'HOST_KEY_UNKNOWN' || code === 'HOST_KEY_CHANGED' || code === 'TLS_ERROR') return 'verify host';
  if (code === 'AUTH_FAILED' || code === 'SECRET_REQUIRED') return 'authenticate';
  return 'connect';
}
