import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { HostKeyDetail } from '../../../shared/errors';
import { FerryError } from '../errors';
import { formatKnownHostLine, matchesHost, parseKnownHosts, type KnownHostLine } from './known-hosts';
import type { TrustStore, TrustVerdict } from './trust-store';
import { sha256Fingerprint } from './verify';

/**
 * Pins in FERRY_HOME: `known_hosts` (OpenSSH format, SSH host keys) and `known_certs` (same line shape,
 * key type "x509", base64 DER, for FTPS). The user's ~/.ssh/known_hosts is read too, never written.
 */
export class FileTrustStore implements TrustStore {
  private readonly sshFile: string;
  private readonly tlsFile: string;

  constructor(
    ferryHome: string,
    private readonly userKnownHosts: string | null = join(homedir(), '.ssh', 'known_hosts'),
  ) {
    this.sshFile = join(ferryHome, 'known_hosts');
    this.tlsFile = join(ferryHome, 'known_certs');
  }

  check(kind: 'ssh' | 'tls', host: string, port: number, keyType: string, key: string): TrustVerdict {
    const lines = kind === 'ssh' ? [...this.read(this.sshFile), ...this.readUser()] : this.read(this.tlsFile);
    const mine = lines.filter((l) => l.hosts.some((h) => matchesHost(h, host, port)));
    if (mine.some((l) => l.keyType === keyType && l.key === key)) return { status: 'trusted' };
    // A pinned key of the same type (for TLS: any pinned certificate) that differs is a changed key.
    const other = mine.find((l) => kind === 'tls' || l.keyType === keyType);
    if (other) return { status: 'changed', pinnedFingerprint: sha256Fingerprint(Buffer.from(other.key, 'base64')) };
    return { status: 'unknown' };
  }

  pin(detail: HostKeyDetail): void {
    const key = Buffer.from(detail.key, 'base64');
    if (sha256Fingerprint(key) !== detail.fingerprint) {
      throw new FerryError('INVALID_INPUT', 'The fingerprint does not match the key to pin.');
    }
    const verdict = this.check(detail.kind, detail.host, detail.port, detail.keyType, detail.key);
    if (verdict.status === 'trusted') return;
    if (verdict.status === 'changed') {
      throw new FerryError('HOST_KEY_CHANGED', `${detail.host}:${detail.port} already has a different pinned key (${verdict.pinnedFingerprint}); remove it first if the change is expected.`, {
        detail: { ...detail, pinnedFingerprint: verdict.pinnedFingerprint },
      });
    }
    const file = detail.kind === 'ssh' ? this.sshFile : this.tlsFile;
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, formatKnownHostLine(detail.host, detail.port, detail.keyType, detail.key), { mode: 0o600 });
  }

  remove(kind: 'ssh' | 'tls', host: string, port: number): void {
    const file = kind === 'ssh' ? this.sshFile : this.tlsFile;
    if (!existsSync(file)) return;
    const kept = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => {
        const [parsed] = parseKnownHosts(line);
        return !parsed || !parsed.hosts.some((h) => matchesHost(h, host, port));
      });
    writeFileSync(file, kept.join('\n'), { mode: 0o600 });
  }

  list() {
    const rows: ReturnType<TrustStore['list']> = [];
    for (const [kind, file] of [['ssh', this.sshFile], ['tls', this.tlsFile]] as const) {
      for (const l of this.read(file)) {
        const m = /^\[(.+)\]:(\d+)$/.exec(l.hosts[0]);
        rows.push({
          kind,
          host: m ? m[1] : l.hosts[0],
          port: m ? Number(m[2]) : 22,
          keyType: l.keyType,
          fingerprint: sha256Fingerprint(Buffer.from(l.key, 'base64')),
        });
      }
    }
    return rows;
  }

  private read(file: string): KnownHostLine[] {
    return existsSync(file) ? parseKnownHosts(readFileSync(file, 'utf8')) : [];
  }

  private readUser(): KnownHostLine[] {
    if (!this.userKnownHosts) return [];
    try {
      return this.read(this.userKnownHosts);
    } catch {
      return []; // unreadable ~/.ssh/known_hosts is not Ferry's to fail on
    }
  }
}
