import { createHash, type Hash } from 'node:crypto';

/**
 * MD5s of what Ferry streamed, the way S3 computes its ETags: the whole object's MD5 (a single-part ETag) and,
 * for multipart uploads, MD5(concatenated binary MD5s of the parts) + "-N". lib-storage cuts a stream into
 * parts of exactly `partSize` bytes (the last one shorter), so hashing the same cuts predicts the ETag.
 */
export class StreamHasher {
  private readonly whole = createHash('md5');
  private part: Hash = createHash('md5');
  private inPart = 0;
  private readonly partDigests: Buffer[] = [];
  total = 0;

  constructor(private readonly partSize: number) {}

  update(chunk: Buffer): void {
    this.whole.update(chunk);
    this.total += chunk.length;
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.partSize - this.inPart, chunk.length - offset);
      this.part.update(chunk.subarray(offset, offset + take));
      this.inPart += take;
      offset += take;
      if (this.inPart === this.partSize) this.closePart();
    }
  }

  /** Call once, after the last chunk. */
  finish(): { md5: string; multipartEtag: string; parts: number } {
    if (this.inPart > 0) this.closePart();
    const md5 = this.whole.digest('hex');
    const multipartEtag = `${createHash('md5').update(Buffer.concat(this.partDigests)).digest('hex')}-${this.partDigests.length}`;
    return { md5, multipartEtag, parts: this.partDigests.length };
  }

  private closePart(): void {
    this.partDigests.push(this.part.digest());
    this.part = createHash('md5');
    this.inPart = 0;
  }
}

/** An ETag without its quotes, lowercase. */
export function cleanEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/"/g, '').trim().toLowerCase() || undefined;
}

export function isPlainMd5(etag: string | undefined): boolean {
  return !!etag && /^[0-9a-f]{32}$/.test(etag);
}

/**
 * With SSE-KMS or SSE-C the ETag is not an MD5 of the content (AWS documents this), so it proves nothing.
 * `sse` is the x-amz-server-side-encryption answer, `sseC` the customer-key algorithm.
 */
export function etagIsContentMd5(sse: string | undefined, sseC: string | undefined): boolean {
  return !sseC && !(sse && sse.startsWith('aws:kms'));
}

/** rclone keeps a multipart object's MD5 in X-Amz-Meta-Md5chksum (base64); read it back as hex. */
export function md5FromMetadata(metadata: Record<string, string> | undefined): string | null {
  const b64 = metadata?.md5chksum;
  if (!b64) return null;
  const hex = Buffer.from(b64, 'base64').toString('hex');
  return hex.length === 32 ? hex : null;
}
