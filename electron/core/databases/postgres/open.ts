import type { Duplex } from 'node:stream';
import type pg from 'pg';
import type { Capabilities } from '../../../../shared/connectors';
import type { ConnectContext, SshTunnel } from '../../connectors/types';
import { FerryError } from '../../errors';
import { PostgresConnector } from './connector';
import { pgpassFile, pgpassLookup } from './password';
import { resolveSettings, type PgSettings } from './settings';
import { checkPinnedCertificate, pinsCertificate, sslOptions } from './tls';

/**
 * The PostgreSQL connect, loaded by index.ts only when such a profile connects (it pulls in pg). Settings
 * as psql resolves them (settings.ts), the password from the keychain, PGPASSWORD, then ~/.pgpass, else asked
 * for (only if the server wants one), TLS per sslmode (tls.ts), and through an SSH tunnel when the profile
 * names one.
 */
export async function openPostgres(ctx: ConnectContext, caps: Capabilities): Promise<PostgresConnector> {
  const s = resolveSettings(ctx.profile.options);
  const known = (await ctx.secret('password', { prompt: false })) ?? (process.env.PGPASSWORD || undefined) ?? pgpassLookup(s, pgpassFile(), (m) => ctx.log.warn(m));
  const password = async () => {
    if (known !== undefined) return known;
    const typed = await ctx.secret('password');
    if (typed === undefined) {
      throw new FerryError('SECRET_REQUIRED', `${s.host}:${s.port} asks for the password of "${s.user}", and none is stored (keychain, PGPASSWORD or ~/.pgpass)`, {
        detail: { profileId: ctx.profile.id, name: 'password' },
      });
    }
    return typed;
  };
  const tunnel = s.sshTunnel ? await openTunnel(ctx, s) : undefined;
  const attempt = async (ssl: ReturnType<typeof sslOptions>) => {
    const config: pg.ClientConfig = {
      host: s.host,
      port: s.port,
      database: s.database,
      user: s.user,
      password,
      ssl,
      connectionTimeoutMillis: s.connectTimeoutMs,
      ...(tunnel ? { stream: socketLike(await tunnel.forward(s.host, s.port)) as unknown as pg.ClientConfig['stream'] } : {}),
    };
    return PostgresConnector.open(config, caps, ctx.profile.name, {
      verify: pinsCertificate(s) ? (client) => checkPinnedCertificate(streamOf(client), ctx, s) : undefined,
      onClose: tunnel ? () => tunnel.release() : undefined,
    });
  };
  try {
    try {
      return await attempt(sslOptions(s));
    } catch (e) {
      // prefer: TLS when the server offers it, else plain, as libpq does.
      if (s.sslmode !== 'prefer' || !/does not support SSL/i.test(String((e as Error).message))) throw e;
      return await attempt(false);
    }
  } catch (e) {
    tunnel?.release();
    throw e;
  }
}

async function openTunnel(ctx: ConnectContext, s: PgSettings): Promise<SshTunnel> {
  if (!ctx.sshTunnel) throw new FerryError('UNSUPPORTED', 'SSH tunnels are not available here', { detail: { option: 'sshTunnel' } });
  return ctx.sshTunnel(s.sshTunnel!, ctx.signal);
}

/** pg's Connection reads its socket as `client.connection.stream` (the TLS socket once upgraded). */
const streamOf = (client: pg.Client) => (client as unknown as { connection: { stream: unknown } }).connection.stream;

/**
 * An SSH channel dressed as the net.Socket pg expects: it is connected already, so connect() only says so,
 * and the TCP knobs belong to the SSH connection's own socket.
 */
function socketLike(channel: Duplex): Duplex {
  return Object.assign(channel, {
    connect() {
      process.nextTick(() => channel.emit('connect'));
      return channel;
    },
    setNoDelay: () => channel,
    setKeepAlive: () => channel,
    ref: () => channel,
    unref: () => channel,
  });
}
