/** Definition levels of flat optional columns, decoded into bytes (prefix.ts, flat-column.ts). */

/**
 * The first k values of an RLE/bit-packed hybrid run of bit width 1 (a flat optional column's definition
 * levels). Not hyparquet's reader: it writes a run out whole, and a page of 500k non-NULL values is one run
 * of 500k, written into a k-long array one dropped write at a time (90 ms for a 9-column preview).
 */
export function firstBits(body: Uint8Array, at: number, end: number, k: number): Uint8Array {
  const out = new Uint8Array(k);
  let seen = 0;
  while (seen < k) {
    if (at >= end) throw new RangeError('the definition levels end before the rows asked for');
    let header = 0;
    for (let shift = 0; ; shift += 7) {
      const b = body[at++];
      if (b === undefined) throw new RangeError('the definition levels run past the prefix');
      header |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    if (header & 1) {
      // Bit-packed: (header >> 1) groups of 8 values, one byte each at width 1, lowest bit first.
      const groups = header >>> 1;
      for (let g = 0; g < groups && seen < k; g++) {
        const byte = at + g < end ? body[at + g] : undefined;
        if (byte === undefined) throw new RangeError('the definition levels run past the prefix');
        for (let bit = 0; bit < 8 && seen < k; bit++) out[seen++] = (byte >> bit) & 1;
      }
      at += groups;
    } else {
      // A run: (header >> 1) copies of the value in the next byte.
      const value = body[at++];
      if (value === undefined) throw new RangeError('the definition levels run past the prefix');
      const n = Math.min(header >>> 1, k - seen);
      out.fill(value, seen, seen + n);
      seen += n;
    }
  }
  return out;
}
