import { readFileSync } from 'node:fs';
import type { Capabilities, OptionSpec } from '../../../../shared/connectors';
import type { ConnectContext, ConnectorManifest } from '../../connectors/types';
import { FerryError } from '../../errors';

// What the app needs without connecting; `pg` loads with connect() only.

/** A database declares no file capabilities: the engine never plans a file copy to or from it. */
export const DATABASE_CAPABILITIES: Capabilities = {
  rangedRead: false,
  serverSideCopy: false,
  rename: false,
  atomicRename: false,
  atomicWrite: true, // a load is one transaction: nobody sees half of it
  resumableWrite: false,
  multipartWrite: false,
  hashes: [],
  modTime: { settable: false, precisionMs: 0 },
  emptyDirs: true,
  bucketBased: false,
  caseInsensitive: false,
  purge: false,
  maxConnections: 4,
  parallelReads: false,
};

const OPTIONS: OptionSpec[] = [
  { name: 'host', label: 'Host', kind: 'string', required: true, placeholder: 'db.example.com' },
  { name: 'port', label: 'Port', kind: 'number', default: 5432 },
  { name: 'database', label: 'Database', kind: 'string', required: true },
  { name: 'user', label: 'User', kind: 'string', required: true },
  { name: 'password', label: 'Password', kind: 'secret', secret: true },
  {
    name: 'sslmode',
    label: 'TLS',
    kind: 'enum',
    default: 'disable',
    choices: [
      { value: 'disable', label: 'Off' },
      { value: 'verify-full', label: 'On, certificate verified (system CAs or a CA file)' },
    ],
  },
  { name: 'caFile', label: 'CA certificate file', kind: 'file', advanced: true, showIf: { option: 'sslmode', in: ['verify-full'] } },
  { name: 'connectTimeoutSec', label: 'Connect timeout (s)', kind: 'number', default: 15, advanced: true },
  { name: 'maxConnections', label: 'Max connections', kind: 'number', default: 4, advanced: true, help: 'Connections Ferry opens to this server at once.' },
];

export const postgresManifest: ConnectorManifest = {
  type: 'postgres',
  label: 'PostgreSQL',
  description: 'Tables and queries in a PostgreSQL database: export them to files, load files into them.',
  options: OPTIONS,
  capabilities: DATABASE_CAPABILITIES,
  tables: true,
  atomicityNote: 'A load is one transaction (COPY FROM STDIN inside BEGIN … COMMIT): any failure or a cancel rolls it back and leaves the table as it was.',
  async connect(ctx: ConnectContext) {
    const o = ctx.profile.options;
    const host = String(o.host ?? '');
    const port = Number(o.port ?? 5432);
    const user = String(o.user ?? '');
    const password = await ctx.secret('password');
    const tls = o.sslmode === 'verify-full';
    let ca: string | undefined;
    if (tls && o.caFile) {
      try {
        ca = readFileSync(String(o.caFile), 'utf8');
      } catch {
        throw new FerryError('NOT_FOUND', `The CA certificate file ${String(o.caFile)} cannot be read`, { detail: { file: o.caFile } });
      }
    }
    const { PostgresConnector } = await import('./connector');
    return PostgresConnector.open(
      {
        host,
        port,
        database: String(o.database ?? ''),
        user,
        password: password ?? '',
        ssl: tls ? { rejectUnauthorized: true, ...(ca ? { ca } : {}), servername: host } : false,
        connectionTimeoutMillis: Number(o.connectTimeoutSec ?? 15) * 1000,
      },
      DATABASE_CAPABILITIES,
      ctx.profile.name,
    );
  },
};
