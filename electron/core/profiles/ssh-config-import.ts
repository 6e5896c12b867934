import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Profile } from '../../../shared/profiles';
import { parseSshConfigHosts } from '../connectors/sftp/ssh-config';
import { FerryError } from '../errors';
import type { ProfileService } from './service';

/**
 * SFTP profiles from ~/.ssh/config (Host, HostName, Port, User, IdentityFile). Existing profile names and
 * wildcard hosts are skipped with a reason; nothing secret is read (key passphrases are asked for on use).
 */
export async function importSshConfigProfiles(
  profiles: ProfileService,
  file = join(homedir(), '.ssh', 'config'),
): Promise<{ imported: Profile[]; skipped: Array<{ host: string; reason: string }> }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new FerryError('NOT_FOUND', `Cannot read ${file}`, { detail: { path: file } });
  }
  const imported: Profile[] = [];
  const skipped: Array<{ host: string; reason: string }> = [];
  for (const h of parseSshConfigHosts(text)) {
    if (h.skipped) {
      skipped.push({ host: h.alias, reason: h.skipped });
      continue;
    }
    if (profiles.list().some((p) => p.name.toLowerCase() === h.alias.toLowerCase())) {
      skipped.push({ host: h.alias, reason: 'a profile with this name exists' });
      continue;
    }
    if (!h.user) {
      skipped.push({ host: h.alias, reason: 'no User given' });
      continue;
    }
    const options: Record<string, string | number> = { host: h.host, user: h.user };
    if (h.port) options.port = h.port;
    if (h.identityFile) Object.assign(options, { auth: 'key', keyFile: h.identityFile });
    else options.auth = 'agent';
    try {
      imported.push(await profiles.create({ name: h.alias, type: 'sftp', options }));
    } catch (e) {
      skipped.push({ host: h.alias, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return { imported, skipped };
}
