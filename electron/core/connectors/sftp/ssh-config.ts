import SSHConfig, { LineType, type Line } from 'ssh-config';
import { expandHome } from './home-path';

/** One Host alias of an OpenSSH client config, with the settings ssh would use for it. */
export interface SshConfigHost {
  alias: string;
  /** HostName, or the alias itself when none is set (as ssh does). */
  host: string;
  port?: number;
  user?: string;
  /** The first IdentityFile, "~" expanded. */
  identityFile?: string;
  /** Set when this alias cannot become a profile, with the reason. */
  skipped?: string;
}

const WILDCARD = /[*?]/;

function values(line: Line): string[] {
  if (line.type !== LineType.DIRECTIVE) return [];
  return typeof line.value === 'string' ? [line.value] : line.value.map((v) => v.val);
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The Host aliases of an ~/.ssh/config text, in file order, each with its effective HostName, Port, User and
 * IdentityFile (first value wins, `Host *` defaults included, as ssh computes them). Patterns with wildcards
 * and negations are listed as skipped: they name no single server. `Match exec` blocks are never run
 * (importing a config must not execute its commands), and `Include` is not followed.
 * Tokens such as %h or %u in values are left as they are.
 */
export function parseSshConfigHosts(text: string): SshConfigHost[] {
  const config = SSHConfig.parse(text);
  const out: SshConfigHost[] = [];
  const seen = new Set<string>();
  for (const line of config) {
    if (line.type !== LineType.DIRECTIVE || line.param.toLowerCase() !== 'host') continue;
    for (const alias of values(line)) {
      if (seen.has(alias)) continue;
      seen.add(alias);
      if (alias.startsWith('!')) {
        out.push({ alias, host: alias, skipped: 'a negated pattern names no server' });
        continue;
      }
      if (WILDCARD.test(alias)) {
        out.push({ alias, host: alias, skipped: 'a wildcard pattern names no single server' });
        continue;
      }
      const c = config.compute(alias, { ignoreCase: true, matchExec: false });
      const entry: SshConfigHost = { alias, host: first(c.hostname) ?? alias };
      const port = first(c.port);
      if (port !== undefined) {
        const n = Number(port);
        if (Number.isInteger(n) && n > 0 && n < 65536) entry.port = n;
        else entry.skipped = `its Port "${port}" is not a port number`;
      }
      const user = first(c.user);
      if (user) entry.user = user;
      const identity = first(c.identityfile);
      if (identity && identity.toLowerCase() !== 'none') entry.identityFile = expandHome(identity);
      out.push(entry);
    }
  }
  return out;
}
