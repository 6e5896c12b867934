import { TextDecoder } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ChunkDecoder } from '../../electron/core/table/csv/chunk-decoder';

/**
 * The CSV reader's chunk decoder takes a shortcut for ASCII chunks. Cut anywhere, the text must be exactly
 * what one TextDecoder makes of the whole file: a multi-byte character split between chunks, an invalid
 * byte, a byte-order mark at the start (dropped) and one in the middle (kept), Windows-1252 accents and
 * the euro sign (0x80).
 */
function decodeInPieces(bytes: Buffer, cuts: number[], encoding: string): string {
  const d = new ChunkDecoder(encoding);
  let text = '';
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    text += d.decode(bytes.subarray(from, c));
    from = c;
  }
  return text + d.end();
}

const UTF8 = Buffer.concat([
  Buffer.from('\uFEFFid,name\n1,plain ascii\n2,"Crème brûlée 東京 🚀"\n3,'),
  Buffer.from([0xff, 0xc3]), // an invalid byte, then a lead byte cut short by ASCII
  Buffer.from('x\n4,\uFEFF mid-file mark\n5,end é'),
]);

describe('ChunkDecoder', () => {
  it('UTF-8 cut at every position, and in three pieces, equals one decoder over the whole file', () => {
    const whole = new TextDecoder('utf-8').decode(UTF8);
    expect(whole.startsWith('id,name')).toBe(true);
    expect(whole).toContain('\uFEFF mid-file');
    for (let i = 0; i <= UTF8.length; i++) expect(decodeInPieces(UTF8, [i], 'utf-8'), `cut at ${i}`).toBe(whole);
    for (let i = 0; i <= UTF8.length; i += 3) for (let j = i; j <= UTF8.length; j += 5) expect(decodeInPieces(UTF8, [i, j], 'utf-8')).toBe(whole);
  });

  it('a file whose first chunk is ASCII keeps a later U+FEFF at a chunk start', () => {
    const bytes = Buffer.from('a,b\n\uFEFFc,d\n');
    expect(decodeInPieces(bytes, [4], 'utf-8')).toBe('a,b\n\uFEFFc,d\n');
  });

  it('Windows-1252 accents and ASCII chunks mixed', () => {
    const bytes = Buffer.from([...Buffer.from('name\n'), 0x43, 0x72, 0xe8, 0x6d, 0x65, 0x0a, 0x80, 0x0a, ...Buffer.from('plain\n')]);
    // Not Node 20's TextDecoder('windows-1252'), which reads 0x80 as U+0080 (ISO-8859-1).
    const whole = 'name\nCrème\n€\nplain\n';
    for (let i = 0; i <= bytes.length; i++) expect(decodeInPieces(bytes, [i], 'windows-1252')).toBe(whole);
  });
});
