import { createHash } from 'node:crypto';
import type { HostKeyDetail } from '../../../shared/errors';
import { FerryError } from '../errors';
import type { ConnectContext } from '../connectors/types';

/** "SHA256:<base64 without padding>" as OpenSSH prints it, of an SSH key blob or a DER certificate. */
export function sha256Fingerprint(keyOrCert: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyOrCert).digest('base64').replace(/=+$/, '');
}

/**
 * The one decision for SSH host keys and TLS certificates, made before any credential is sent:
 * trusted → go on; unknown → pin it if the user accepted this fingerprint up front, else HOST_KEY_UNKNOWN
 * (the UI shows the fingerprint and calls trust.accept; the CLI prints it for --trust-host-key);
 * changed → HOST_KEY_CHANGED, always refused.
 */
export function verifyHostKey(
  ctx: Pick<ConnectContext, 'trust' | 'acceptFingerprint'>,
  kind: 'ssh' | 'tls',
  host: string,
  port: number,
  keyType: string,
  key: Buffer,
): void {
  const fingerprint = sha256Fingerprint(key);
  const detail: HostKeyDetail = { kind, host, port, keyType, fingerprint, key: key.toString('base64') };
  const verdict = ctx.trust.check(kind, host, port, keyType, detail.key);
  const what = kind === 'ssh' ? 'host key' : 'TLS certificate';
  if (verdict.status === 'trusted') return;
  if (verdict.status === 'changed') {
    throw new FerryError(
      'HOST_KEY_CHANGED',
      `The ${what} of ${host}:${port} has CHANGED (now ${fingerprint}, pinned ${verdict.pinnedFingerprint}). ` +
        'This can mean someone is intercepting the connection. Ferry refused to connect.',
      { detail: { ...detail, pinnedFingerprint: verdict.pinnedFingerprint } },
    );
  }
  if (ctx.acceptFingerprint && ctx.acceptFingerprint === fingerprint) {
    ctx.trust.pin(detail);
    return;
  }
  throw new FerryError(
    'HOST_KEY_UNKNOWN',
    `The ${what} of ${host}:${port} is not known yet: ${keyType} ${fingerprint}. Check it with the server's owner, then trust it.`,
    { detail },
  );
}
