const encoder = new TextEncoder();

/**
 * Writes `s` as UTF-8 into buf at pos and returns the position after it; the caller leaves room for
 * s.length * 3 bytes. ASCII (most table text) is copied in a loop: TextEncoder per string would cost an
 * allocation each, and those dominated the writers' garbage collection.
 */
export function writeUtf8(s: string, buf: Uint8Array, pos: number): number {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 0x80) break;
    buf[pos + i] = ch;
  }
  if (i === n) return pos + n;
  return pos + i + encoder.encodeInto(s.slice(i), buf.subarray(pos + i)).written;
}
