import { randomUUID } from 'node:crypto';
import type { ConnectorType } from '../../../shared/connectors';
import type { OptionValues, Profile } from '../../../shared/profiles';
import { FerryError } from '../errors';
import type { Db } from './db';

interface Row {
  id: string;
  name: string;
  type: string;
  options: string;
  secrets_set: string;
  created_at: string;
  updated_at: string;
}

const toProfile = (r: Row): Profile => ({
  id: r.id,
  name: r.name,
  type: r.type as ConnectorType,
  options: JSON.parse(r.options) as OptionValues,
  secretsSet: JSON.parse(r.secrets_set) as string[],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Profiles in SQLite: non-secret options only (the caller strips secrets before they get here). */
export class ProfilesRepo {
  /** The lookup by id runs for every file a job sends (its endpoint's capabilities): prepared once. */
  private readonly byId;

  constructor(private readonly db: Db) {
    this.byId = db.prepare('SELECT * FROM profiles WHERE id = ?');
  }

  list(): Profile[] {
    return (this.db.prepare('SELECT * FROM profiles ORDER BY name COLLATE NOCASE').all() as Row[]).map(toProfile);
  }

  get(id: string): Profile {
    const row = this.byId.get(id) as Row | undefined;
    if (!row) throw new FerryError('NOT_FOUND', `No profile with id ${id}`, { detail: { profileId: id } });
    return toProfile(row);
  }

  findByName(name: string): Profile | undefined {
    const row = this.db.prepare('SELECT * FROM profiles WHERE name = ? COLLATE NOCASE').get(name) as Row | undefined;
    return row ? toProfile(row) : undefined;
  }

  create(p: { name: string; type: ConnectorType; options: OptionValues; secretsSet: string[] }): Profile {
    this.assertNameFree(p.name);
    const now = new Date().toISOString();
    const id = randomUUID();
    this.db
      .prepare('INSERT INTO profiles (id, name, type, options, secrets_set, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, p.name, p.type, JSON.stringify(p.options), JSON.stringify(p.secretsSet), now, now);
    return this.get(id);
  }

  update(id: string, p: { name: string; type: ConnectorType; options: OptionValues; secretsSet: string[] }): Profile {
    this.get(id);
    this.assertNameFree(p.name, id);
    this.db
      .prepare('UPDATE profiles SET name = ?, type = ?, options = ?, secrets_set = ?, updated_at = ? WHERE id = ?')
      .run(p.name, p.type, JSON.stringify(p.options), JSON.stringify(p.secretsSet), new Date().toISOString(), id);
    return this.get(id);
  }

  remove(id: string): void {
    this.get(id);
    this.db.prepare('DELETE FROM profiles WHERE id = ?').run(id);
  }

  private assertNameFree(name: string, exceptId?: string): void {
    const other = this.findByName(name);
    if (other && other.id !== exceptId) {
      throw new FerryError('ALREADY_EXISTS', `A profile named "${name}" already exists`, { detail: { name } });
    }
  }
}
