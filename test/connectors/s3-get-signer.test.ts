import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { GetSigner, type Credentials } from '../../electron/core/connectors/s3/get-signer';

// The S3 GETs' own signer against the SDK's SignatureV4 (the reference implementation), byte for byte. The
// S3 connector's tests also read through a proxy that checks signatures as AWS does (s3.test.ts).

type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Data) => (typeof d === 'string' ? d : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d));
class Sha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: Data) {
    this.h = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(d: Data) {
    this.h.update(bytes(d));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

async function reference(creds: Credentials, region: string, path: string, headers: Record<string, string>, date: Date) {
  const signer = new SignatureV4({ credentials: creds, region, service: 's3', sha256: Sha256, uriEscapePath: false });
  const signed = await signer.sign({ method: 'GET', protocol: 'https:', hostname: headers.host, path, query: {}, headers: { ...headers } }, { signingDate: date });
  return signed.headers;
}

describe('S3 GET signer', () => {
  const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const cases: Array<[string, string, Record<string, string>]> = [
    ['a plain key', '/bucket/data/file.csv', {}],
    ['an encoded key with a range', '/bucket/%C3%9Cbersicht%20%E2%82%AC/why%3F%20%281%29.csv', { range: 'bytes=1000-200999' }],
    ['a virtual-hosted path with an open range', '/deep/a%2Bb.txt', { range: 'bytes=299990-' }],
    ['a header value with blanks to fold', '/bucket/k', { range: '  bytes=0-9  ' }],
  ];

  for (const [what, path, extra] of cases) {
    it(`signs ${what} exactly as SignatureV4 does`, async () => {
      const date = new Date('2026-12-08T01:23:45.678Z');
      const headers = { host: 'bucket.s3.eu-west-1.amazonaws.com', 'x-amz-content-sha256': EMPTY, ...extra };
      const ours = await new GetSigner(creds, 'eu-west-1').sign(path, headers, date);
      expect(ours).toEqual(await reference(creds, 'eu-west-1', path, headers, date));
      expect(ours.authorization).toContain('Credential=AKIDEXAMPLE/20261208/eu-west-1/s3/aws4_request');
    });
  }

  it('signs a session token in, and follows the credentials and the day as they change', async () => {
    let current: Credentials = { ...creds, sessionToken: 'token-one' };
    const signer = new GetSigner(async () => current, 'us-east-1');
    const headers = { host: '127.0.0.1:9000', 'x-amz-content-sha256': EMPTY };
    const check = async (date: Date) => expect(await signer.sign('/b/k', headers, date)).toEqual(await reference(current, 'us-east-1', '/b/k', headers, date));
    await check(new Date('2026-12-08T23:59:59.000Z'));
    // The next day needs another signing key; so do new credentials (a refreshed session).
    await check(new Date('2026-12-09T00:00:01.000Z'));
    current = { accessKeyId: 'AKIDOTHER', secretAccessKey: 'another-secret', sessionToken: 'token-two' };
    await check(new Date('2026-12-09T00:00:02.000Z'));
    current = { accessKeyId: 'AKIDOTHER', secretAccessKey: 'another-secret' };
    const signed = await signer.sign('/b/k', headers, new Date('2026-12-09T00:00:03.000Z'));
    expect(signed['x-amz-security-token']).toBeUndefined();
    expect(signed).toEqual(await reference(current, 'us-east-1', '/b/k', headers, new Date('2026-12-09T00:00:03.000Z')));
  });

  it('refuses credentials without a key id or secret, as SignatureV4 does', async () => {
    const signer = new GetSigner(async () => ({}) as Credentials, 'us-east-1');
    await expect(signer.sign('/b/k', { host: 'h', 'x-amz-content-sha256': EMPTY })).rejects.toThrow('Resolved credential object is not valid');
  });
});
