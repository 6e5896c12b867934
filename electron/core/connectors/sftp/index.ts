import type { Capabilities, OptionSpec } from '../../../../shared/connectors';
import type { ConnectContext, ConnectorManifest } from '../types';

// What the app needs without connecting (forms, CLI flags, docs, capabilities). Nothing here may import
// ssh2, even transitively: it loads with every command; connect() loads ./open on first use.

export { parseSshConfigHosts, type SshConfigHost } from './ssh-config';
export type { SftpConnector } from './fs';

/**
 * What every SFTP server gives. A connected SftpConnector reports what this server really has:
 * atomicRename needs posix-rename@openssh.com (OpenSSH 4.8+; without it a rename replaces by delete + rename),
 * serverSideCopy needs the copy-data extension (OpenSSH 9.0+, then `copy` exists), maxConnections follows the
 * profile. Declared here: the floor any server meets, except atomicRename, which nearly every server has and
 * which `rename` still honours (non-atomically) where it does not.
 * No hashes: SFTP has no standard hash request and Ferry runs no remote commands (md5sum) on a server.
 * Times are whole seconds in SFTP v3.
 */
export const SFTP_CAPABILITIES: Capabilities = {
  rangedRead: true,
  serverSideCopy: false,
  rename: true,
  atomicRename: true,
  atomicWrite: false,
  resumableWrite: true,
  multipartWrite: false,
  hashes: [],
  modTime: { settable: true, precisionMs: 1000 },
  emptyDirs: true,
  bucketBased: false,
  caseInsensitive: false,
  purge: false,
  maxConnections: 4,
  // One SFTP channel already pipelines its reads; more connections only add SSH CPU.
  parallelReads: false,
  sharedReads: false,
  // Small files, four to a connection: 2,000 × 16 KiB took 16-17 % less time and 20-25 % less CPU (both
  // ends) than a connection each (docs/benchmarks.md); requests of several files share socket writes.
  sharedTransfers: 4,
};

const AUTH_SHOWS_PASSWORD = ['password', 'keyboard-interactive'];

export const SFTP_OPTIONS: OptionSpec[] = [
  { name: 'host', label: 'Host', kind: 'string', required: true, placeholder: 'sftp.example.com' },
  { name: 'port', label: 'Port', kind: 'number', default: 22 },
  { name: 'user', label: 'User', kind: 'string', required: true },
  {
    name: 'auth',
    label: 'Authentication',
    kind: 'enum',
    default: 'password',
    choices: [
      { value: 'password', label: 'Password' },
      { value: 'key', label: 'Private key file' },
      { value: 'agent', label: 'SSH agent' },
      { value: 'keyboard-interactive', label: 'Keyboard-interactive (password prompt)' },
    ],
  },
  { name: 'password', label: 'Password', kind: 'secret', secret: true, showIf: { option: 'auth', in: AUTH_SHOWS_PASSWORD } },
  {
    name: 'keyFile',
    label: 'Private key file',
    kind: 'file',
    placeholder: '~/.ssh/id_ed25519',
    help: 'OpenSSH or PEM format (ed25519, ECDSA, RSA).',
    showIf: { option: 'auth', in: ['key'] },
    cliFlag: 'key',
    implies: { auth: 'key' },
  },
  {
    name: 'passphrase',
    label: 'Key passphrase',
    kind: 'secret',
    secret: true,
    help: 'Only for an encrypted key; asked for when the key needs it.',
    showIf: { option: 'auth', in: ['key'] },
  },
  {
    name: 'agentSocket',
    label: 'Agent socket',
    kind: 'string',
    help: 'Empty: $SSH_AUTH_SOCK.',
    advanced: true,
    showIf: { option: 'auth', in: ['agent'] },
  },
  { name: 'connectTimeoutSec', label: 'Connect timeout (s)', kind: 'number', default: 15, advanced: true },
  {
    name: 'maxConnections',
    label: 'Max connections',
    kind: 'number',
    default: 4,
    help: 'SSH connections Ferry opens to this server at once (servers cap sessions per user).',
    advanced: true,
  },
];

export const sftpManifest: ConnectorManifest = {
  type: 'sftp',
  label: 'SFTP',
  description: 'Files over SSH (OpenSSH and other SFTP servers).',
  options: SFTP_OPTIONS,
  capabilities: SFTP_CAPABILITIES,
  cliSwitches: [{ flag: 'agent', help: 'authenticate with the SSH agent ($SSH_AUTH_SOCK)', sets: { auth: 'agent' } }],
  atomicityNote:
    'Files are written under a temporary name in the destination folder and renamed into place when complete, ' +
    'with posix-rename@openssh.com, which replaces the destination atomically. On servers without that extension ' +
    'the old file is deleted just before the rename.',
  async connect(ctx: ConnectContext) {
    const { openSftp } = await import('./open');
    return openSftp(ctx, SFTP_CAPABILITIES);
  },
};
