import { afterAll, describe, expect, it } from 'vitest';
import type { AzureServerInfo } from '../servers/azure';
import type { FtpServerInfo } from '../servers/ftp';
import type { GcsServerInfo } from '../servers/gcs';
import type { S3ServerInfo } from '../servers/s3';
import { ferry } from '../support/cli';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';

/**
 * `ferry profile add --type …` with flags generated from each connector's options (secrets only on stdin),
 * then ls / mkdir / mv / rm through the same commands on every connector. GCS runs against the project's
 * stand-in of the GCS JSON API (no GCS emulator runs offline here), not against Google.
 */
const home = tempDir('ferry-cli-conn-');
const run = (args: string[], stdin?: string) => ferry(args, { home: home.path, stdin });
afterAll(() => home.cleanup());

async function roundTrip(profile: string, root: string) {
  const dir = `${root}/cli-${process.pid}`;
  expect((await run(['mkdir', `${profile}:${dir}/a b`])).code).toBe(0);
  expect((await run(['mv', `${profile}:${dir}/a b`, `${profile}:${dir}/Übersicht`])).code).toBe(0);
  const ls = await run(['ls', '--json', `${profile}:${dir}`]);
  expect(ls.code).toBe(0);
  expect(JSON.parse(ls.stdout)).toEqual([expect.objectContaining({ name: 'Übersicht', type: 'dir', path: `${dir}/Übersicht` })]);
  expect((await run(['rm', '-r', `${profile}:${dir}`])).code).toBe(0);
  expect((await run(['ls', `${profile}:${dir}`])).code).toBe(1);
}

describe('ferry CLI on every connector', () => {
  it('s3: buckets are the top-level folders', async () => {
    const s3 = server<S3ServerInfo>('s3')!;
    const add = await run(['profile', 'add', 's3box', '--type', 's3', '--provider', 'other', '--endpoint', s3.endpoint, '--region', s3.region, '--access-key-id', s3.accessKeyId, '--secret-access-key-stdin'], s3.secretAccessKey);
    expect(add.code).toBe(0);
    expect((await run(['mkdir', 's3box:/cli-bucket'])).code).toBe(0);
    expect((await run(['ls', 's3box:/'])).stdout).toContain('cli-bucket/');
    await roundTrip('s3box', '/cli-bucket');
  });

  it('azure: containers are the top-level folders; the connection string comes on stdin', async () => {
    const az = server<AzureServerInfo>('azure')!;
    const add = await run(['profile', 'add', 'azbox', '--type', 'azure', '--auth', 'connection-string', '--connection-string-stdin'], az.connectionString);
    expect(add.code).toBe(0);
    expect((await run(['mkdir', 'azbox:/cli-container'])).code).toBe(0);
    await roundTrip('azbox', '/cli-container');
  });

  it('gcs (project stand-in): buckets are the top-level folders', async () => {
    const gcs = server<GcsServerInfo>('gcs')!;
    const add = await run(['profile', 'add', 'gcsbox', '--type', 'gcs', '--auth', 'none', '--project-id', gcs.projectId, '--api-endpoint', gcs.apiEndpoint]);
    expect(add.code).toBe(0);
    expect((await run(['mkdir', 'gcsbox:/cli-gcs-bucket'])).code).toBe(0);
    await roundTrip('gcsbox', '/cli-gcs-bucket');
  });

  it('ftp: plain FTP', async () => {
    const ftp = server<FtpServerInfo>('ftp')!;
    const add = await run(['profile', 'add', 'ftpbox', '--type', 'ftp', '--host', ftp.host, '--port', String(ftp.port), '--user', ftp.user, '--password-stdin'], ftp.password);
    expect(add.code).toBe(0);
    await roundTrip('ftpbox', '');
  });

  it('ftps: an unknown certificate stops with its SHA256 fingerprint; --trust-host-key pins it', async () => {
    const ftp = server<FtpServerInfo>('ftp')!;
    const add = await run(['profile', 'add', 'ftpsbox', '--type', 'ftps', '--host', ftp.host, '--port', String(ftp.port), '--user', ftp.user, '--tls', 'explicit', '--password-stdin'], ftp.password);
    expect(add.code).toBe(0);
    const refused = await run(['ls', 'ftpsbox:/']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`--trust-host-key ${ftp.certFingerprint}`);
    expect((await run(['--trust-host-key', ftp.certFingerprint, 'ls', 'ftpsbox:/'])).code).toBe(0);
    expect((await run(['trust', 'list'])).stdout).toContain(ftp.certFingerprint);
    await roundTrip('ftpsbox', '');
  });
});
