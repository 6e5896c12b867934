import { readFileSync } from 'node:fs';
import type { OptionSpec } from '../../../../shared/connectors';
import type { ConnectContext, ConnectorManifest } from '../../connectors/types';
import { FerryError } from '../../errors';
import { DATABASE_CAPABILITIES } from '../postgres/index';
import { SSH_TUNNEL_OPTION } from '../ssh-tunnels';

// What the app needs without connecting; mysql2 loads with connect() only.

const OPTIONS: OptionSpec[] = [
  { name: 'host', label: 'Host', kind: 'string', required: true, placeholder: 'db.example.com', help: 'Through an SSH tunnel: the host as the SSH server sees it.' },
  { name: 'port', label: 'Port', kind: 'number', default: 3306 },
  { name: 'database', label: 'Database', kind: 'string', required: true, help: 'The database PROFILE:table means; PROFILE:other.table reaches the others.' },
  { name: 'user', label: 'User', kind: 'string', required: true },
  { name: 'password', label: 'Password', kind: 'secret', secret: true },
  {
    name: 'tls',
    label: 'TLS',
    kind: 'enum',
    default: 'off',
    choices: [
      { value: 'off', label: 'Off' },
      { value: 'verify', label: 'Required, certificate verified (system CAs or a CA file)' },
    ],
  },
  { name: 'caFile', label: 'CA certificate file', kind: 'file', advanced: true, showIf: { option: 'tls', in: ['verify'] } },
  { name: 'connectTimeoutSec', label: 'Connect timeout (s)', kind: 'number', default: 15, advanced: true },
  { name: 'maxConnections', label: 'Max connections', kind: 'number', default: 4, advanced: true, help: 'Connections Ferry opens to this server at once.' },
  SSH_TUNNEL_OPTION,
];

export const mysqlManifest: ConnectorManifest = {
  type: 'mysql',
  label: 'MySQL / MariaDB',
  description: 'Tables and queries in a MySQL or MariaDB server: export them to files, load files into them.',
  options: OPTIONS,
  capabilities: DATABASE_CAPABILITIES,
  tables: true,
  atomicityNote:
    'A load is one transaction (LOAD DATA LOCAL INFILE inside START TRANSACTION … COMMIT, warnings are failures); a new or replaced table is loaded under a temp name and renamed into place, so a failed load leaves no table and the old one intact.',
  async connect(ctx: ConnectContext) {
    const o = ctx.profile.options;
    const host = String(o.host ?? '');
    const tls = o.tls === 'verify';
    let ca: string | undefined;
    if (tls && o.caFile) {
      try {
        ca = readFileSync(String(o.caFile), 'utf8');
      } catch {
        throw new FerryError('NOT_FOUND', `The CA certificate file ${String(o.caFile)} cannot be read`, { detail: { file: o.caFile } });
      }
    }
    const password = await ctx.secret('password');
    const { MysqlConnector } = await import('./connector');
    const tunnelProfile = typeof o.sshTunnel === 'string' ? o.sshTunnel.trim() : '';
    if (tunnelProfile && !ctx.sshTunnel) throw new FerryError('UNSUPPORTED', 'SSH tunnels are not available here', { detail: { option: 'sshTunnel' } });
    const tunnel = tunnelProfile ? await ctx.sshTunnel!(tunnelProfile, ctx.signal) : undefined;
    return MysqlConnector.open(
      {
        host,
        port: Number(o.port ?? 3306),
        database: String(o.database ?? ''),
        user: String(o.user ?? ''),
        password: password ?? '',
        // verifyIdentity: mysql2 checks the certificate's host name only when asked.
        ssl: tls ? { rejectUnauthorized: true, verifyIdentity: true, ...(ca ? { ca } : {}) } : undefined,
        connectTimeout: Number(o.connectTimeoutSec ?? 15) * 1000,
      },
      DATABASE_CAPABILITIES,
      ctx.profile.name,
      tunnel,
    );
  },
};
