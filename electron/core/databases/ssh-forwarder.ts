import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { connectSsh, readSettings } from '../connectors/sftp/connect';
import type { ConnectContext } from '../connectors/types';
import { FerryError } from '../errors';
import type { SshForwarder } from './ssh-tunnels';

/**
 * An SFTP profile's SSH connection used as a tunnel (loaded only when a database profile names one): the
 * same settings, host key check and credentials as its file connections, but no SFTP channel; each
 * database connection is a direct-tcpip channel (ssh2's forwardOut, what `ssh -W host:port` does).
 */
export async function openForwarder(ctx: ConnectContext): Promise<SshForwarder> {
  const s = readSettings(ctx.profile.options);
  const client = await connectSsh<Client>(ctx, s, (c, done) => done(null, c));
  const via = `${s.user}@${s.host}:${s.port}`;
  let alive = true;
  const gone = () => (alive = false);
  client.on('close', gone).on('end', gone).on('error', gone);
  return {
    get alive() {
      return alive;
    },
    forward(host, port) {
      if (!alive) return Promise.reject(new FerryError('CONNECTION_LOST', `The SSH tunnel through ${via} is closed`, { detail: { host: s.host, port: s.port } }));
      return new Promise<Duplex>((resolve, reject) => {
        client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
          if (err) return reject(forwardError(err, host, port, via));
          resolve(channel);
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!alive) return resolve();
        const t = setTimeout(() => (client.destroy(), resolve()), 2000);
        client.once('close', () => (clearTimeout(t), resolve()));
        client.end();
      }),
  };
}

/** Why the SSH server would not open the channel, in plain words (ssh2 puts the RFC 4254 reason on `reason`). */
function forwardError(err: Error & { reason?: number }, host: string, port: number, via: string): FerryError {
  const detail = { host, port, tunnel: via };
  const what = `${host}:${port} through the SSH tunnel ${via}`;
  if (err.reason === 1 || /prohibited/i.test(err.message)) {
    return new FerryError('PERMISSION_DENIED', `The SSH server ${via} does not allow forwarding to ${host}:${port} (AllowTcpForwarding or PermitOpen in its sshd_config)`, { detail, cause: err });
  }
  if (err.reason === 2 || /connect failed|refused/i.test(err.message)) {
    return new FerryError('CONNECTION_REFUSED', `Cannot reach ${what}: the SSH server could not connect to it (${err.message})`, { detail, cause: err });
  }
  return new FerryError('CONNECTION_LOST', `Cannot open a channel to ${what}: ${err.message}`, { detail, cause: err });
}
