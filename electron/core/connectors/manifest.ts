import type { ConnectorInfo } from '../../../shared/connectors';
import { FerryError } from '../errors';
import { azureManifest } from './azure';
import { ftpManifest, ftpsManifest } from './ftp';
import { gcsManifest } from './gcs';
import { localManifest } from './local';
import { s3Manifest } from './s3';
import { sftpManifest } from './sftp';
import { postgresManifest } from '../databases/postgres/index';
import { mysqlManifest } from '../databases/mysql/index';
import { sqliteManifest } from '../databases/sqlite/index';
import { duckdbManifest } from '../databases/duckdb/index';
import type { ConnectorManifest } from './types';

/**
 * The one list of connectors. Everything else (profile forms, CLI flags, docs/connectors.md, the conformance
 * suite) is generated from these manifests; no connector gets a special case anywhere else.
 */
export const MANIFESTS: ConnectorManifest[] = [localManifest, sftpManifest, ftpManifest, ftpsManifest, s3Manifest, azureManifest, gcsManifest, postgresManifest, mysqlManifest, sqliteManifest, duckdbManifest];

export function manifestFor(type: string): ConnectorManifest {
  const m = MANIFESTS.find((x) => x.type === type);
  if (!m) throw new FerryError('INVALID_INPUT', `Unknown connector type "${type}" (known: ${MANIFESTS.map((x) => x.type).join(', ')})`);
  return m;
}

/** The manifest minus its code: what crosses the API. */
export function connectorInfo(m: ConnectorManifest): ConnectorInfo {
  const { type, label, description, options, capabilities, atomicityNote, cliSwitches, tables } = m;
  return { type, label, description, options, capabilities, atomicityNote, ...(cliSwitches ? { cliSwitches } : {}), ...(tables ? { tables } : {}) };
}
