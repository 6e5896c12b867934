import { createHash, createHmac } from 'node:crypto';

/** The credentials the S3 client resolves (its config.credentials gives these). */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * AWS Signature Version 4 for ObjectGetter's GETs (get.ts): the algorithm of @smithy/signature-v4's
 * signRequest, for a GET with no query and no body, with its output (test/connectors/s3-get-signer.test.ts
 * checks them equal). Per request SignatureV4 spent about 130 µs of CPU on these machines: a promise per
 * hash, the date formatted with three regular expressions, the request cloned, and an HMAC of the
 * credentials computed on every call only to look its signing key up in a cache. On a download of many
 * small objects with 16 transfers that was about a tenth of the main thread, which such a download keeps
 * busy (docs/benchmarks.md). Here the signing key is kept per day, region and credentials, and a request
 * costs one SHA-256 and one HMAC.
 */
export class GetSigner {
  private readonly credentials: () => Promise<Credentials>;
  private signingKey: { day: string; accessKeyId: string; secret: string; token: string | undefined; key: Buffer } | null = null;

  constructor(
    credentials: Credentials | (() => Promise<Credentials>),
    readonly region: string,
    private readonly service = 's3',
  ) {
    this.credentials = typeof credentials === 'function' ? credentials : async () => credentials;
  }

  /**
   * `headers` (all of them signed; names in lower case, `host` and `x-amz-content-sha256` among them) with
   * x-amz-date, the session token where there is one, and the authorization header added. `path` is signed
   * as given: S3 signs the path as sent, each key segment encoded once.
   */
  async sign(path: string, headers: Record<string, string>, now = new Date()): Promise<Record<string, string>> {
    const creds = await this.credentials();
    if (typeof creds?.accessKeyId !== 'string' || typeof creds.secretAccessKey !== 'string') throw new Error('Resolved credential object is not valid');
    const longDate = amzDate(now);
    const day = longDate.slice(0, 8);
    const out: Record<string, string> = { ...headers, 'x-amz-date': longDate };
    if (creds.sessionToken) out['x-amz-security-token'] = creds.sessionToken;
    const names = Object.keys(out).sort();
    let canonicalHeaders = '';
    for (const n of names) canonicalHeaders += `${n}:${canonicalValue(out[n])}\n`;
    const signedHeaders = names.join(';');
    const payloadHash = out['x-amz-content-sha256'];
    const canonicalRequest = `GET\n${path}\n\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
    const scope = `${day}/${this.region}/${this.service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const signature = createHmac('sha256', this.keyFor(creds, day)).update(stringToSign).digest('hex');
    out.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return out;
  }

  /** The day's signing key for these credentials (a new one when the day or the credentials change). */
  private keyFor(creds: Credentials, day: string): Buffer {
    const k = this.signingKey;
    if (k && k.day === day && k.accessKeyId === creds.accessKeyId && k.secret === creds.secretAccessKey && k.token === creds.sessionToken) return k.key;
    const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
    const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), this.region), this.service), 'aws4_request');
    this.signingKey = { day, accessKeyId: creds.accessKeyId, secret: creds.secretAccessKey, token: creds.sessionToken, key };
    return key;
  }
}

/** 20261208T012345Z: the ISO time without separators and milliseconds, as SignatureV4 formats it. */
function amzDate(now: Date): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** A header value as SignatureV4 signs it: line breaks and runs of blanks made one space, trimmed. */
function canonicalValue(v: string): string {
  return /[\r\n\t]| {2}|^ | $/.test(v) ? v.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '') : v;
}
