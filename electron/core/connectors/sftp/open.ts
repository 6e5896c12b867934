import type { Capabilities } from '../../../../shared/connectors';
import type { ConnectContext } from '../types';
import { openSession, readSettings } from './connect';
import { SftpConnector } from './fs';

/** The SFTP connect, loaded by index.ts only when an SFTP profile connects (it pulls in ssh2). */
export async function openSftp(ctx: ConnectContext, capabilities: Capabilities): Promise<SftpConnector> {
  const settings = readSettings(ctx.profile.options);
  const session = await openSession(ctx, settings);
  return new SftpConnector(session, settings, capabilities);
}
