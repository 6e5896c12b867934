import { isIP } from 'node:net';
import { TLSSocket, type ConnectionOptions } from 'node:tls';
import { FerryError } from '../../errors';
import { verifyHostKey } from '../../trust/verify';
import type { ConnectContext } from '../types';
import type { FtpClient } from './connect';
import { TLS_MISMATCH } from './errors';

/**
 * TLS options for the control connection and, through basic-ftp, every data connection. Node is told not to
 * reject an untrusted certificate itself (`rejectUnauthorized: false`) so that Ferry can decide after the
 * handshake, with the certificate in hand: CA-trusted and matching the host, or pinned by the user.
 * `host` also keys TLS session resumption for the data connections.
 */
export function tlsOptions(host: string): ConnectionOptions {
  return { host, ...(isIP(host) ? {} : { servername: host }), rejectUnauthorized: false };
}

/**
 * Decides whether to talk to this server, right after the TLS handshake and before USER/PASS go out.
 * A certificate that a system CA vouches for and that names this host passes (`socket.authorized` covers
 * both the chain and the host name); any other one (self-signed, private CA, wrong name, expired) must be
 * pinned: unknown → HOST_KEY_UNKNOWN, pinned and equal → pass, different → HOST_KEY_CHANGED.
 * Returns the DER certificate, which every data connection must then present too.
 */
export function verifyServerCertificate(
  socket: unknown,
  ctx: Pick<ConnectContext, 'trust' | 'acceptFingerprint'>,
  host: string,
  port: number,
): Buffer {
  if (!(socket instanceof TLSSocket)) throw new FerryError('TLS_ERROR', `The connection to ${host}:${port} is not encrypted after the TLS handshake`, { detail: { host, port } });
  const der = socket.getPeerCertificate(true)?.raw;
  if (!der || der.length === 0) throw new FerryError('TLS_ERROR', `${host}:${port} sent no TLS certificate`, { detail: { host, port } });
  if (!socket.authorized) verifyHostKey(ctx, 'tls', host, port, 'x509', der);
  return der;
}

/**
 * basic-ftp opens a TLS data connection per transfer, resuming the control connection's TLS session (which
 * proves it is the same server). Where a server does not resume, the data connection's certificate must be
 * the one verified on the control connection, or the transfer is cut with a TLS error.
 */
export function guardDataConnections(client: FtpClient, controlCert: Buffer): void {
  client.onDataSocket((data) => {
    if (!(data instanceof TLSSocket)) return;
    data.once('secureConnect', () => {
      if (data.isSessionReused()) return;
      const der = data.getPeerCertificate(true)?.raw;
      if (!der || !der.equals(controlCert)) {
        data.destroy(Object.assign(new Error('the data connection presented a different TLS certificate than the control connection'), { code: TLS_MISMATCH }));
      }
    });
  });
}
