import { Transform } from 'node:stream';

/**
 * The HTTP Range header for [start, end) (end exclusive), or undefined for the whole object.
 */
export function rangeHeader(start: number, end: number | undefined): string | undefined {
  if (start <= 0 && end === undefined) return undefined;
  return `bytes=${start}-${end !== undefined ? end - 1 : ''}`;
}

/**
 * Where the body a server sent begins: its Content-Range start, or 0 when it ignored the Range and sent the
 * whole object (a 200). Some S3-compatible servers do that, and s3rver answers "bytes=0-0" with the whole
 * object; trimming on this side keeps read() exact whatever the server did.
 */
export function bodyStart(contentRange: string | undefined): number {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(contentRange?.trim() ?? '');
  return m ? Number(m[1]) : 0;
}

/** Passes `limit` bytes after skipping `skip` bytes, then ends (the rest of the source is ignored). */
export function sliceStream(skip: number, limit: number): Transform {
  let toSkip = skip;
  let left = limit;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      let b = chunk;
      if (toSkip > 0) {
        const n = Math.min(toSkip, b.length);
        toSkip -= n;
        b = b.subarray(n);
      }
      if (left <= 0 || b.length === 0) return done();
      const out = b.length > left ? b.subarray(0, left) : b;
      left -= out.length;
      done(null, out);
    },
  });
}
