import { createHash, randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import {
  AccountSASPermissions,
  BlobServiceClient,
  ContainerSASPermissions,
  generateAccountSASQueryParameters,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance } from '../conformance/suite';
import { collect, expectCode, put, randomData, readAll } from '../conformance/helpers';
import { azureManifest, connectAzure } from '../../electron/core/connectors/azure';
import type { Connector, ConnectContext } from '../../electron/core/connectors/types';
import { FerryError } from '../../electron/core/errors';
import type { OptionValues } from '../../shared/profiles';
import { freePort } from '../support/ports';
import { server } from '../support/servers';
import type { AzureServerInfo } from '../servers/azure';

const info = () => {
  const s = server<AzureServerInfo>('azure');
  if (!s) throw new Error('the azure test server (Azurite) did not start');
  return s;
};

/** A connect context as the core builds it: options from the profile, secrets from the keychain. */
function context(options: OptionValues, secrets: Record<string, string>): ConnectContext {
  return {
    profile: { id: 'test-azure', name: 'azurite', options },
    secret: async (name) => secrets[name],
    trust: undefined as unknown as ConnectContext['trust'],
    log: { debug() {}, info() {}, warn() {} },
  };
}

const byConnectionString = (extra: OptionValues = {}) =>
  azureManifest.connect(context({ auth: 'connection-string', ...extra }, { connectionString: info().connectionString }));

const byAccountKey = (endpoint: string, extra: OptionValues = {}, key = info().accountKey) =>
  azureManifest.connect(context({ auth: 'account-key', accountName: info().accountName, endpoint, ...extra }, { accountKey: key }));

const bySasUrl = (sasUrl: string, extra: OptionValues = {}) => azureManifest.connect(context({ auth: 'sas-url', ...extra }, { sasUrl }));

function sdk(): BlobServiceClient {
  return BlobServiceClient.fromConnectionString(info().connectionString);
}

function accountSasUrl(permissions = 'rwdlacup', key = info().accountKey): string {
  const credential = new StorageSharedKeyCredential(info().accountName, key);
  const sas = generateAccountSASQueryParameters(
    { expiresOn: new Date(Date.now() + 3600_000), permissions: AccountSASPermissions.parse(permissions), resourceTypes: 'sco', services: 'b' },
    credential,
  ).toString();
  return `${info().blobEndpoint}/?${sas}`;
}

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

/** Containers are account-wide: each test makes its own. */
async function newContainer(): Promise<string> {
  const name = `t-${randomUUID().slice(0, 12)}`;
  await sdk().createContainer(name);
  return name;
}

const CONFORMANCE_CONTAINER = 'conformance';
/** Small listing pages, so the suite's listing spans several of them (Azure's own page is 5000). */
const PAGE = 100;

describeConformance('azure', async () => {
  const s = info();
  await BlobServiceClient.fromConnectionString(s.connectionString).getContainerClient(CONFORMANCE_CONTAINER).createIfNotExists();
  return {
    connect: () => connectAzure(context({ auth: 'connection-string' }, { connectionString: s.connectionString }), { listPageSize: PAGE }),
    root: `/${CONFORMANCE_CONTAINER}`,
    capabilities: azureManifest.capabilities,
    pageSize: PAGE,
  };
});

describe('azure: containers are the top-level folders', () => {
  let c: Connector;
  beforeAll(async () => {
    c = await byConnectionString();
  });
  afterAll(() => c.close());

  it('lists containers at "/" and creates, lists and deletes them as folders', async () => {
    const name = `top-${randomUUID().slice(0, 8)}`;
    await c.mkdir(`/${name}`);
    expect((await c.list('/')).find((e) => e.name === name)).toMatchObject({ type: 'dir', path: `/${name}` });
    expect((await c.stat(`/${name}`)).type).toBe('dir');
    await put(c, `/${name}/inside.txt`, 'in');
    await expectCode(() => c.rmdir(`/${name}`), 'NOT_EMPTY');
    await c.rmdir(`/${name}`, { recursive: true });
    expect((await c.list('/')).map((e) => e.name)).not.toContain(name);
    expect(await sdk().getContainerClient(name).exists()).toBe(false);
  });

  it('refuses a file at the top level and names Azure cannot take', async () => {
    await expectCode(() => put(c, '/loose.txt', 'x'), 'INVALID_NAME');
    await expectCode(() => c.mkdir('/Not_A_Valid_Container'), 'INVALID_NAME');
    await expectCode(() => c.rename!(`/${CONFORMANCE_CONTAINER}`, '/renamed'), 'UNSUPPORTED');
  });

  it('a missing container is NOT_FOUND for list, stat and read', async () => {
    await expectCode(() => c.list('/no-such-container'), 'NOT_FOUND');
    await expectCode(() => c.stat('/no-such-container/x.txt'), 'NOT_FOUND');
    await expectCode(() => readAll(c, '/no-such-container/x.txt'), 'NOT_FOUND');
  });

  it('mkdir inside a missing container creates the container too', async () => {
    const name = `mk-${randomUUID().slice(0, 8)}`;
    await c.mkdir(`/${name}/a/b`);
    expect((await c.list(`/${name}`)).map((e) => [e.name, e.type])).toEqual([['a', 'dir']]);
    await c.rmdir(`/${name}`, { recursive: true });
  });

  it('with a fixed container, "/" is that container', async () => {
    const name = await newContainer();
    await sdk().getContainerClient(name).getBlockBlobClient('top.txt').upload('top', 3);
    const fixed = await byConnectionString({ container: name });
    try {
      expect((await fixed.list('/')).map((e) => e.name)).toEqual(['top.txt']);
      await put(fixed, '/second.txt', '2');
      expect((await readAll(c, `/${name}/second.txt`)).toString()).toBe('2');
      await expectCode(() => fixed.rmdir('/', { recursive: true }), 'INVALID_INPUT');
    } finally {
      await fixed.close();
    }
  });
});

describe('azure: folders as Azure tools see them', () => {
  let c: Connector;
  let container: string;
  beforeAll(async () => {
    c = await byConnectionString();
    container = await newContainer();
  });
  afterAll(() => c.close());

  it('mkdir writes a zero-byte "name/" marker with hdi_isfolder=true (as Storage Explorer does)', async () => {
    await c.mkdir(`/${container}/made`);
    const props = await sdk().getContainerClient(container).getBlobClient('made/').getProperties();
    expect(props.contentLength).toBe(0);
    expect(props.metadata).toMatchObject({ hdi_isfolder: 'true' });
    expect(await c.list(`/${container}/made`)).toEqual([]);
  });

  it('a folder blob written by an ADLS Gen2 tool (no slash, hdi_isfolder) is a folder', async () => {
    await sdk().getContainerClient(container).getBlockBlobClient('adls').upload('', 0, { metadata: { hdi_isfolder: 'true' } });
    expect((await c.list(`/${container}`)).filter((e) => e.name === 'adls')).toMatchObject([{ type: 'dir' }]);
    expect((await c.stat(`/${container}/adls`)).type).toBe('dir');
    await expectCode(() => readAll(c, `/${container}/adls`), 'IS_A_DIRECTORY');
    await c.rmdir(`/${container}/adls`);
    await expectCode(() => c.stat(`/${container}/adls`), 'NOT_FOUND');
  });

  it('a folder that only exists as a prefix is a folder; reading or removing it as a file says so', async () => {
    await sdk().getContainerClient(container).getBlockBlobClient('prefix-only/deep/file.txt').upload('x', 1);
    expect((await c.stat(`/${container}/prefix-only`)).type).toBe('dir');
    await expectCode(() => readAll(c, `/${container}/prefix-only`), 'IS_A_DIRECTORY');
    await expectCode(() => c.remove(`/${container}/prefix-only`), 'IS_A_DIRECTORY');
    await expectCode(() => c.rmdir(`/${container}/prefix-only/deep/file.txt`), 'NOT_A_DIRECTORY');
  });
});

describe('azure: authentication', () => {
  it('account name + key against a custom endpoint', async () => {
    const container = await newContainer();
    const c = await byAccountKey(info().blobEndpoint);
    try {
      await put(c, `/${container}/k.txt`, 'by key');
      expect((await readAll(c, `/${container}/k.txt`)).toString()).toBe('by key');
    } finally {
      await c.close();
    }
  });

  it('an account SAS URL (generated with the SDK): containers, write, read, server-side copy', async () => {
    const container = await newContainer();
    const c = await bySasUrl(accountSasUrl());
    try {
      expect((await c.list('/')).map((e) => e.name)).toContain(container);
      await put(c, `/${container}/s.txt`, 'by sas');
      await c.copy!(`/${container}/s.txt`, `/${container}/s-copy.txt`);
      expect((await readAll(c, `/${container}/s-copy.txt`)).toString()).toBe('by sas');
    } finally {
      await c.close();
    }
  });

  it('a container SAS URL works inside that container, which becomes "/"', async () => {
    const container = await newContainer();
    const credential = new StorageSharedKeyCredential(info().accountName, info().accountKey);
    const sas = generateBlobSASQueryParameters(
      { containerName: container, permissions: ContainerSASPermissions.parse('racwdl'), expiresOn: new Date(Date.now() + 3600_000) },
      credential,
    ).toString();
    const c = await bySasUrl(`${info().blobEndpoint}/${container}?${sas}`);
    try {
      await put(c, '/c.txt', 'container sas');
      expect((await c.list('/')).map((e) => e.name)).toEqual(['c.txt']);
      expect((await readAll(c, '/c.txt')).toString()).toBe('container sas');
    } finally {
      await c.close();
    }
  });

  const wrongKey = Buffer.from('not the key of this account, but 64 bytes long enough to pass!!!').toString('base64');

  it('a wrong account key is AUTH_FAILED at connect, and the key appears nowhere in the error', async () => {
    const error = await byAccountKey(info().blobEndpoint, {}, wrongKey).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FerryError);
    expect((error as FerryError).code).toBe('AUTH_FAILED');
    const everything = JSON.stringify({ message: (error as FerryError).message, data: (error as FerryError).toData(), stack: (error as Error).stack });
    expect(everything).not.toContain(wrongKey);
    expect(everything).not.toContain(wrongKey.slice(0, 20));
  });

  it('a wrong key inside a connection string is AUTH_FAILED without the connection string in the error', async () => {
    const cs = info().connectionString.replace(info().accountKey, wrongKey);
    const error = await azureManifest.connect(context({ auth: 'connection-string' }, { connectionString: cs })).then(
      () => undefined,
      (e: unknown) => e as FerryError,
    );
    expect(error?.code).toBe('AUTH_FAILED');
    expect(JSON.stringify(error?.toData())).not.toContain(wrongKey.slice(0, 20));
  });

  it('a SAS URL with a forged signature is AUTH_FAILED; a dead endpoint is CONNECTION_REFUSED; neither shows the token', async () => {
    const forged = accountSasUrl('rl', wrongKey);
    const sig = new URL(forged).searchParams.get('sig')!;
    const error = await bySasUrl(forged).then(() => undefined, (e: unknown) => e as FerryError);
    expect(error?.code).toBe('AUTH_FAILED');
    expect(JSON.stringify(error?.toData())).not.toContain(sig);

    const dead = accountSasUrl().replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${await freePort()}`);
    const refused = await bySasUrl(dead).then(() => undefined, (e: unknown) => e as FerryError);
    expect(refused?.code).toBe('CONNECTION_REFUSED');
    expect(refused?.retryable).toBe(true);
    expect(JSON.stringify(refused?.toData())).not.toContain(new URL(dead).searchParams.get('sig')!);
  });

  it('a malformed connection string is INVALID_INPUT without echoing it', async () => {
    const cs = `AccountKey=${wrongKey};this is not a connection string`;
    const error = await azureManifest.connect(context({ auth: 'connection-string' }, { connectionString: cs })).then(
      () => undefined,
      (e: unknown) => e as FerryError,
    );
    expect(error?.code).toBe('INVALID_INPUT');
    expect(JSON.stringify(error?.toData())).not.toContain(wrongKey.slice(0, 20));
  });

  it('a missing secret is SECRET_REQUIRED naming the option', async () => {
    const error = await azureManifest.connect(context({ auth: 'sas-url' }, {})).then(() => undefined, (e: unknown) => e as FerryError);
    expect(error?.code).toBe('SECRET_REQUIRED');
    expect(error?.detail).toMatchObject({ name: 'sasUrl', profileId: 'test-azure' });
  });
});

/**
 * An HTTP relay between the connector and Azurite that counts the bytes it carries and can flip one byte of
 * chosen request bodies: a real network fault, so the server's own MD5 check is what catches it.
 */
async function relay(corrupt: (req: IncomingMessage) => boolean = () => false) {
  const target = new URL(info().blobEndpoint);
  const stats = { bytes: 0, corrupted: 0 };
  const srv: Server = createServer((req, res) => {
    let flip = corrupt(req);
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on('data', (chunk: Buffer) => (stats.bytes += chunk.length));
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.on('data', (chunk: Buffer) => {
      stats.bytes += chunk.length;
      if (flip && chunk.length > 0) {
        chunk = Buffer.from(chunk);
        chunk[chunk.length >> 1] ^= 0xff;
        flip = false;
        stats.corrupted++;
      }
      upstream.write(chunk);
    });
    req.on('end', () => upstream.end());
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}${target.pathname}`,
    stats,
    close: () => new Promise<void>((resolve) => { srv.closeAllConnections(); srv.close(() => resolve()); }),
  };
}

describe('azure: writes, checksums and server-side copy', () => {
  let c: Connector;
  let container: string;
  beforeAll(async () => {
    c = await byConnectionString({ blockSizeMiB: 1, uploadConcurrency: 3 });
    container = await newContainer();
  });
  afterAll(() => c.close());

  it('a large file goes up in blocks; the blob carries the MD5 of the whole content', async () => {
    const data = randomData(3.5 * 1024 * 1024);
    const result = await put(c, `/${container}/blocks.bin`, data);
    expect(result).toEqual({ size: data.length, hashes: { md5: md5(data) } });
    const blocks = await sdk().getContainerClient(container).getBlockBlobClient('blocks.bin').getBlockList('committed');
    expect(blocks.committedBlocks?.map((b) => b.size)).toEqual([1, 1, 1, 0.5].map((m) => m * 1024 * 1024));
    expect(await c.hash!(`/${container}/blocks.bin`, 'md5')).toBe(md5(data));
    expect((await c.stat(`/${container}/blocks.bin`)).hashes).toEqual({ md5: md5(data) });
  });

  it('hash() is null for a blob another tool stored without Content-MD5', async () => {
    const blob = sdk().getContainerClient(container).getBlockBlobClient('no-md5.bin');
    const id = Buffer.from('block-0').toString('base64');
    await blob.stageBlock(id, Buffer.from('abc'), 3);
    await blob.commitBlockList([id]);
    expect(await c.hash!(`/${container}/no-md5.bin`, 'md5')).toBeNull();
    expect((await c.stat(`/${container}/no-md5.bin`)).hashes).toBeUndefined();
  });

  it('the source mtime is stored as metadata and reported; other blobs report Last-Modified', async () => {
    const when = new Date('2020-02-03T04:05:06.789Z');
    await put(c, `/${container}/dated.txt`, 'dated', { modified: when });
    const props = await sdk().getContainerClient(container).getBlobClient('dated.txt').getProperties();
    expect(props.metadata).toMatchObject({ mtime: when.toISOString() });
    expect((await c.stat(`/${container}/dated.txt`)).modified).toBe(when.toISOString());
    await sdk().getContainerClient(container).getBlockBlobClient('plain.txt').upload('p', 1);
    const plain = await sdk().getContainerClient(container).getBlobClient('plain.txt').getProperties();
    expect((await c.stat(`/${container}/plain.txt`)).modified).toBe(plain.lastModified!.toISOString());
  });

  it('a byte corrupted on the way is refused by the server (CHECKSUM_MISMATCH) and nothing is stored', async () => {
    const proxy = await relay((req) => req.method === 'PUT' && (req.headers['content-length'] ?? '0') !== '0');
    const through = await byAccountKey(proxy.endpoint);
    try {
      await expectCode(() => put(through, `/${container}/small-corrupt.txt`, 'a small file'), 'CHECKSUM_MISMATCH');
      expect(proxy.stats.corrupted).toBe(1);
      await expectCode(() => c.stat(`/${container}/small-corrupt.txt`), 'NOT_FOUND');
    } finally {
      await through.close();
      await proxy.close();
    }
  });

  it('a corrupted block fails the write and leaves the previous file whole (nothing half-written is visible)', async () => {
    const old = randomData(100_000);
    await put(c, `/${container}/replace.bin`, old);
    let blocks = 0;
    // Only the third block is damaged: the first two are accepted, the commit must never happen.
    const proxy = await relay((req) => req.method === 'PUT' && /comp=block(&|$)/.test(req.url ?? '') && ++blocks === 3);
    const through = await byAccountKey(proxy.endpoint, { blockSizeMiB: 1, uploadConcurrency: 1 });
    try {
      await expectCode(() => put(through, `/${container}/replace.bin`, randomData(4 * 1024 * 1024 + 1)), 'CHECKSUM_MISMATCH');
      expect(proxy.stats.corrupted).toBe(1);
      expect((await readAll(c, `/${container}/replace.bin`)).equals(old)).toBe(true);
    } finally {
      await through.close();
      await proxy.close();
    }
  });

  it('copy happens on the server: the bytes never pass through Ferry, metadata and MD5 travel along', async () => {
    const data = randomData(2 * 1024 * 1024);
    const when = new Date('2019-01-01T00:00:00.000Z');
    await put(c, `/${container}/big-src.bin`, data, { modified: when });
    const proxy = await relay();
    const through = await byAccountKey(proxy.endpoint);
    try {
      const before = proxy.stats.bytes;
      await through.copy!(`/${container}/big-src.bin`, `/${container}/copied/big-dst.bin`);
      expect(proxy.stats.bytes - before).toBeLessThan(64 * 1024);
    } finally {
      await through.close();
      await proxy.close();
    }
    expect((await readAll(c, `/${container}/copied/big-dst.bin`)).equals(data)).toBe(true);
    expect(await c.stat(`/${container}/copied/big-dst.bin`)).toMatchObject({ modified: when.toISOString(), hashes: { md5: md5(data) } });
  });

  it('a cancelled write is CANCELLED and leaves nothing under the name', async () => {
    const abort = new AbortController();
    async function* slow() {
      for (let i = 0; ; i++) {
        if (i === 40) abort.abort();
        yield randomData(64 * 1024);
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    await expectCode(() => c.write(`/${container}/cancelled.bin`, Readable.from(slow()), { signal: abort.signal }), 'CANCELLED');
    await expectCode(() => c.stat(`/${container}/cancelled.bin`), 'NOT_FOUND');
  });

  it('a read past the end of a file is empty, a cancelled read is CANCELLED', async () => {
    await put(c, `/${container}/ten.txt`, '0123456789');
    expect((await readAll(c, `/${container}/ten.txt`, { start: 10 })).length).toBe(0);
    expect((await readAll(c, `/${container}/ten.txt`, { start: 50, end: 60 })).length).toBe(0);
    await put(c, `/${container}/long.bin`, randomData(8 * 1024 * 1024));
    const abort = new AbortController();
    const stream = await c.read(`/${container}/long.bin`, { signal: abort.signal });
    abort.abort();
    await expectCode(() => collect(stream), 'CANCELLED');
  });
});
