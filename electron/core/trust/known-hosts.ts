import { createHmac } from 'node:crypto';

/** One usable line of an OpenSSH known_hosts file. */
export interface KnownHostLine {
  /** Host patterns as written: "host", "[host]:port", or a hashed "|1|salt|hash". */
  hosts: string[];
  keyType: string;
  key: string;
}

/** Parses known_hosts text; markers (@cert-authority, @revoked) and comments are skipped. */
export function parseKnownHosts(text: string): KnownHostLine[] {
  const out: KnownHostLine[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('@')) continue;
    const [hosts, keyType, key] = line.split(/\s+/);
    if (!hosts || !keyType || !key) continue;
    out.push({ hosts: hosts.split(','), keyType, key });
  }
  return out;
}

/** The name OpenSSH writes for a host and port: "host" on 22, "[host]:port" otherwise. */
export function hostToken(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** True when a known_hosts host pattern (plain, bracketed or hashed) names this host:port. Wildcards are not honoured. */
export function matchesHost(pattern: string, host: string, port: number): boolean {
  const token = hostToken(host, port);
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(token).digest('base64');
    return mac === hash;
  }
  if (pattern.startsWith('!')) return false;
  return pattern === token;
}

export function formatKnownHostLine(host: string, port: number, keyType: string, key: string): string {
  return `${hostToken(host, port)} ${keyType} ${key}\n`;
}
