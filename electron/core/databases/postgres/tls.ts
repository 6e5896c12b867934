import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { TLSSocket, type ConnectionOptions } from 'node:tls';
import type { ConnectContext } from '../../connectors/types';
import { FerryError } from '../../errors';
import { verifyHostKey } from '../../trust/verify';
import type { PgSettings } from './settings';

/**
 * What each sslmode asks of the server's certificate (libpq's meanings):
 * - disable: no TLS.
 * - prefer, require without a CA file: TLS, and the certificate must be one a system CA vouches for with this
 *   host's name, or one the user pinned (the trust store FTPS and SSH use: unknown → HOST_KEY_UNKNOWN with
 *   its SHA256 fingerprint, changed → HOST_KEY_CHANGED). libpq would accept any certificate here; Ferry
 *   pins it instead, since an unchecked certificate protects nothing against someone in the middle.
 * - require with a CA file, verify-ca: the chain must lead to the CA file (or a system CA); any host name.
 * - verify-full: the chain, and the certificate must name the host.
 */
export function sslOptions(s: PgSettings): false | ConnectionOptions {
  if (s.sslmode === 'disable') return false;
  const servername = isIP(s.host) ? undefined : s.host;
  const ca = s.caFile ? readCa(s.caFile) : undefined;
  if (s.sslmode === 'verify-full') return { rejectUnauthorized: true, ...(ca ? { ca } : {}), ...(servername ? { servername } : {}) };
  if (s.sslmode === 'verify-ca' || ca) return { rejectUnauthorized: true, ...(ca ? { ca } : {}), ...(servername ? { servername } : {}), checkServerIdentity: () => undefined };
  return { rejectUnauthorized: false, ...(servername ? { servername } : {}) };
}

/** Whether this mode leaves the certificate to the trust store (see sslOptions). */
export const pinsCertificate = (s: PgSettings) => (s.sslmode === 'prefer' || s.sslmode === 'require') && !s.caFile;

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new FerryError('NOT_FOUND', `The CA certificate file ${file} cannot be read`, { detail: { file, option: 'caFile' } });
  }
}

/**
 * The trust store's decision on the certificate the server presented on this TLS socket; throws
 * HOST_KEY_UNKNOWN / HOST_KEY_CHANGED. Called after the handshake and before any password or row goes out.
 * A socket that is not TLS (prefer, and the server said no) passes: there is no certificate to check.
 */
export function checkPinnedCertificate(socket: unknown, ctx: Pick<ConnectContext, 'trust' | 'acceptFingerprint'>, s: PgSettings): void {
  if (!(socket instanceof TLSSocket)) return;
  if (socket.authorized) return;
  const der = socket.getPeerCertificate(true)?.raw;
  if (!der || der.length === 0) throw new FerryError('TLS_ERROR', `${s.host}:${s.port} sent no TLS certificate`, { detail: { host: s.host, port: s.port } });
  verifyHostKey(ctx, 'tls', s.host, s.port, 'x509', der);
}
