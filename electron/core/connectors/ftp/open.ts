import type { Capabilities } from '../../../../shared/connectors';
import { FerryError } from '../../errors';
import type { ConnectContext } from '../types';
import { openClient, type FtpSettings, type TlsMode } from './connect';
import { FtpConnector } from './fs';

/** The FTP/FTPS connect, loaded by index.ts only when such a profile connects (it pulls in basic-ftp). */
export async function openFtp(type: 'ftp' | 'ftps', ctx: ConnectContext, capabilities: Capabilities): Promise<FtpConnector> {
  const settings = await settingsFor(type, ctx);
  const first = await openClient(settings, ctx, ctx.signal);
  return new FtpConnector(capabilities, settings, ctx, first);
}

/** The profile's options, checked, with defaults applied and the password fetched. */
async function settingsFor(type: 'ftp' | 'ftps', ctx: ConnectContext): Promise<FtpSettings> {
  const o = ctx.profile.options;
  const host = String(o.host ?? '').trim();
  if (!host) throw new FerryError('INVALID_INPUT', 'An FTP profile needs a host', { detail: { option: 'host' } });
  const tls = String(o.tls ?? (type === 'ftp' ? 'none' : 'explicit')) as TlsMode;
  const allowed: TlsMode[] = type === 'ftp' ? ['none', 'explicit', 'implicit'] : ['explicit', 'implicit'];
  if (!allowed.includes(tls)) throw new FerryError('INVALID_INPUT', `Encryption "${tls}" is not one of ${allowed.join(', ')}`, { detail: { option: 'tls' } });
  const user = String(o.user ?? '').trim() || 'anonymous';
  const password = await ctx.secret('password');
  if (password === undefined && user !== 'anonymous') {
    throw new FerryError('SECRET_REQUIRED', `The password of "${user}" on ${host} is needed`, { detail: { profileId: ctx.profile.id, name: 'password' } });
  }
  const num = (v: unknown, fallback: number) => (Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : fallback);
  return {
    host,
    port: num(o.port, tls === 'implicit' ? 990 : 21),
    user,
    password: password ?? 'anonymous@',
    tls,
    timeoutMs: num(o.connectTimeoutSec, 15) * 1000,
    encoding: o.encoding === 'latin1' ? 'latin1' : 'utf8',
    maxConnections: Math.floor(num(o.maxConnections, 4)),
  };
}
