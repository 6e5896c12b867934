import type { Capabilities, OptionSpec } from '../../../../shared/connectors';
import type { ConnectorManifest } from '../types';

// What the app needs without connecting (forms, CLI flags, docs, capabilities). Nothing here may import
// basic-ftp, even transitively: it loads with every command; connect() loads ./open on first use.

export type { FtpConnector } from './fs';

/**
 * One implementation, registered as two types: "ftp" (plain by default, TLS optional) and "ftps" (TLS
 * required). basic-ftp only does passive mode (EPSV, then PASV), which is what works through NAT and
 * firewalls; there is no active-mode option.
 *
 * Facts, checked against vsftpd 3.0.3: no MLSD, so listings ask MDTM per file for exact times (1 s);
 * vsftpd sets times through MDTM with a time argument (others: MFMT); RNTO replaces an existing file with
 * rename(2); REST+STOR resumes an upload without truncating; no HASH/XMD5, so no server hashes.
 */
const capabilities: Capabilities = {
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
  // One data connection per transfer: segments on several connections go faster, as with lftp pget.
  parallelReads: true,
  sharedReads: false,
};

const TLS_CHOICES = {
  none: { value: 'none', label: 'None (plain FTP: password and files travel unencrypted)' },
  explicit: { value: 'explicit', label: 'Explicit TLS (AUTH TLS on the FTP port)' },
  implicit: { value: 'implicit', label: 'Implicit TLS (TLS from the start, usually port 990)' },
};

function options(type: 'ftp' | 'ftps'): OptionSpec[] {
  return [
    { name: 'host', label: 'Host', kind: 'string', required: true, placeholder: 'ftp.example.com' },
    { name: 'port', label: 'Port', kind: 'number', placeholder: '21 (990 for implicit TLS)', help: 'Leave empty for 21, or 990 with implicit TLS.' },
    { name: 'user', label: 'User', kind: 'string', default: 'anonymous' },
    { name: 'password', label: 'Password', kind: 'secret', help: 'Not needed for anonymous login.' },
    {
      name: 'tls',
      label: 'Encryption',
      kind: 'enum',
      default: type === 'ftp' ? 'none' : 'explicit',
      choices: type === 'ftp' ? [TLS_CHOICES.none, TLS_CHOICES.explicit, TLS_CHOICES.implicit] : [TLS_CHOICES.explicit, TLS_CHOICES.implicit],
      help: 'A certificate no system CA vouches for (self-signed) is shown once with its fingerprint to be trusted, like an SSH host key.',
    },
    { name: 'maxConnections', label: 'Parallel connections', kind: 'number', default: 4, advanced: true, help: 'FTP does one thing at a time per connection; many servers cap connections per user.' },
    { name: 'connectTimeoutSec', label: 'Timeout (seconds)', kind: 'number', default: 15, advanced: true, help: 'For connecting, for each server reply, and for a transfer that stops moving (no data for this long): such a call fails as a retryable timeout.' },
    {
      name: 'encoding',
      label: 'File name encoding',
      kind: 'enum',
      default: 'utf8',
      advanced: true,
      choices: [
        { value: 'utf8', label: 'UTF-8' },
        { value: 'latin1', label: 'Latin-1 (old servers)' },
      ],
    },
  ];
}

function manifest(type: 'ftp' | 'ftps'): ConnectorManifest {
  return {
    type,
    label: type === 'ftp' ? 'FTP' : 'FTPS (FTP over TLS)',
    description: type === 'ftp' ? 'An FTP server, plain or with TLS.' : 'An FTP server over TLS (explicit or implicit).',
    options: options(type),
    capabilities,
    atomicityNote:
      'FTP writes in place, so Ferry uploads under a temporary name and renames it over the destination. ' +
      'RNTO replaces the old file in one step on vsftpd, ProFTPD and Pure-FTPd; on servers that refuse to replace ' +
      '(IIS), Ferry deletes the old file first, which leaves a short moment without it.',
    async connect(ctx) {
      const { openFtp } = await import('./open');
      return openFtp(type, ctx, capabilities);
    },
  };
}

export const ftpManifest = manifest('ftp');
export const ftpsManifest = manifest('ftps');
