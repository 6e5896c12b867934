/**
 * CRC32C (Castagnoli), incremental. Slicing-by-8 over 32-bit words (little-endian hosts, which is every
 * machine this runs on) so that hashing a large upload does not dominate the emulator's CPU: about
 * 0.6-1 GB/s here, against 0.27 GB/s byte by byte. GCS reports it as base64 of the 4 big-endian bytes.
 */
const POLY = 0x82f63b78;
const T = new Int32Array(256 * 8);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? POLY ^ (c >>> 1) : c >>> 1;
  T[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = T[n];
  for (let k = 1; k < 8; k++) {
    c = T[c & 0xff] ^ (c >>> 8);
    T[k * 256 + n] = c;
  }
}

/** Continues a CRC32C: pass the previous result (0 to start). */
export function crc32cUpdate(previous: number, data: Uint8Array): number {
  let crc = ~previous | 0;
  let i = 0;
  const n = data.length;
  // Bytes until the view is 4-byte aligned, then 8 bytes per step as two words.
  const head = Math.min(n, (4 - (data.byteOffset & 3)) & 3);
  for (; i < head; i++) crc = T[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  const words = Math.floor((n - i) / 8) * 2;
  const w32 = words > 0 ? new Int32Array(data.buffer, data.byteOffset + i, words) : new Int32Array(0);
  for (let w = 0; w < words; w += 2) {
    const a = crc ^ w32[w];
    const b = w32[w + 1];
    crc =
      T[1792 + (a & 0xff)] ^ T[1536 + ((a >>> 8) & 0xff)] ^ T[1280 + ((a >>> 16) & 0xff)] ^ T[1024 + (a >>> 24)] ^
      T[768 + (b & 0xff)] ^ T[512 + ((b >>> 8) & 0xff)] ^ T[256 + ((b >>> 16) & 0xff)] ^ T[b >>> 24];
  }
  i += words * 4;
  for (; i < n; i++) crc = T[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** The CRC32C as GCS writes it in `crc32c` and `x-goog-hash`: base64 of 4 big-endian bytes. */
export function crc32cBase64(crc: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc >>> 0);
  return b.toString('base64');
}
