import type { Capabilities, OptionSpec } from '../../../../shared/connectors';
import type { ConnectContext, ConnectorManifest } from '../../connectors/types';
import { SSH_TUNNEL_OPTION } from '../ssh-tunnels';
import { expandUrlOption } from './url';

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
  sharedReads: false,
};

const OPTIONS: OptionSpec[] = [
  {
    name: 'url',
    label: 'Connection URL',
    kind: 'string',
    placeholder: 'postgres://user@db.example.com:5432/sales?sslmode=require',
    help: 'Fills the options below (those set explicitly win). A password in it goes to the keychain; the URL itself is not stored.',
  },
  { name: 'host', label: 'Host', kind: 'string', placeholder: 'db.example.com', help: 'Empty: $PGHOST, else localhost. Through an SSH tunnel: the host as the SSH server sees it.' },
  { name: 'port', label: 'Port', kind: 'number', default: 5432, help: 'Empty: $PGPORT, else 5432.' },
  { name: 'database', label: 'Database', kind: 'string', help: 'Empty: $PGDATABASE, else the user name.' },
  { name: 'user', label: 'User', kind: 'string', help: 'Empty: $PGUSER, else your login name.' },
  { name: 'password', label: 'Password', kind: 'secret', secret: true, help: 'Empty: $PGPASSWORD, else ~/.pgpass ($PGPASSFILE), else asked for when the server wants one.' },
  {
    name: 'sslmode',
    label: 'TLS (sslmode)',
    kind: 'enum',
    default: 'disable',
    help: 'Empty: $PGSSLMODE, else disable. require without a CA file pins the certificate like an SSH host key.',
    choices: [
      { value: 'disable', label: 'Off' },
      { value: 'prefer', label: 'If the server offers it (certificate pinned)' },
      { value: 'require', label: 'Required (certificate pinned, or checked against the CA file)' },
      { value: 'verify-ca', label: 'Required, certificate signed by the CA (file or system)' },
      { value: 'verify-full', label: 'Required, certificate signed by the CA and naming the host' },
    ],
  },
  {
    name: 'caFile',
    label: 'CA certificate file',
    kind: 'file',
    advanced: true,
    help: 'Empty: $PGSSLROOTCERT, else the system CAs.',
    showIf: { option: 'sslmode', in: ['require', 'verify-ca', 'verify-full'] },
  },
  SSH_TUNNEL_OPTION,
  { name: 'connectTimeoutSec', label: 'Connect timeout (s)', kind: 'number', default: 15, advanced: true, help: 'Empty: $PGCONNECT_TIMEOUT, else 15.' },
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
  expandInput: expandUrlOption,
  async connect(ctx: ConnectContext) {
    const { openPostgres } = await import('./open');
    return openPostgres(ctx, DATABASE_CAPABILITIES);
  },
};
