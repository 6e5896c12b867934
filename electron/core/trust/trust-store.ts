import type { HostKeyDetail } from '../../../shared/errors';

export type TrustVerdict =
  | { status: 'trusted' }
  | { status: 'unknown' }
  | { status: 'changed'; pinnedFingerprint: string };

/**
 * Pinned SSH host keys and TLS certificates. SSH keys live in FERRY_HOME/known_hosts (OpenSSH format) and
 * ~/.ssh/known_hosts is honoured read-only; TLS certificates live in FERRY_HOME/known_certs.
 */
export interface TrustStore {
  /** `key` is base64 of the SSH key blob or the DER certificate. */
  check(kind: 'ssh' | 'tls', host: string, port: number, keyType: string, key: string): TrustVerdict;
  /** Pins a key the user accepted. Replaces nothing: a changed key must be removed first (trust.remove). */
  pin(detail: HostKeyDetail): void;
  remove(kind: 'ssh' | 'tls', host: string, port: number): void;
  list(): Array<{ kind: 'ssh' | 'tls'; host: string; port: number; keyType: string; fingerprint: string }>;
}
