import { CopyFrames } from '../../electron/core/databases/postgres/copy-out';

/** A protocol message: its code, a 4-byte length (itself included) and the body. */
export const message = (code: string, body: Buffer) => {
  const head = Buffer.alloc(5);
  head.write(code, 0, 'latin1');
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};

/** The bytes a server sends for COPY TO STDOUT of these text rows (each ending in a newline): CopyOutResponse, a notice, CopyData per row, CopyDone, then CommandComplete. */
export function copyOutBytes(text: Buffer): { bytes: Buffer; after: Buffer } {
  const rows: Buffer[] = [];
  for (let s = 0, nl = text.indexOf(10); nl !== -1; s = nl + 1, nl = text.indexOf(10, s)) rows.push(message('d', text.subarray(s, nl + 1)));
  const after = Buffer.concat([message('C', Buffer.from('COPY 3\0')), message('Z', Buffer.from('I'))]);
  const notice = message('N', Buffer.from('SNOTICE\0Mhello\0\0'));
  const bytes = Buffer.concat([message('H', Buffer.from([0, 0, 0])), rows[0] ?? Buffer.alloc(0), notice, ...rows.slice(1), message('c', Buffer.alloc(0)), after]);
  return { bytes, after };
}

/**
 * The runs of framed rows the COPY stream yields for these rows when the socket delivers the server's
 * bytes in `chunk`-byte pieces; checks the bytes after CopyDone are handed back whole.
 */
export async function* framedRows(text: Buffer, chunk: number): AsyncGenerator<Buffer> {
  const { bytes, after } = copyOutBytes(text);
  const frames = new CopyFrames();
  for (let i = 0; i < bytes.length; i += chunk) {
    const s = frames.split(bytes.subarray(i, i + chunk));
    yield* s.data;
    if (s.end) {
      if (s.end !== 'done' || !Buffer.concat([s.rest!, bytes.subarray(i + chunk)]).equals(after)) throw new Error('the COPY did not end where it should');
      return;
    }
  }
  throw new Error('no CopyDone');
}
