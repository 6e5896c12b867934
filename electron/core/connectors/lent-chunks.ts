/**
 * Chunks whose memory their reader lends rather than gives: a plain FTP download reads its data connection
 * into reused slabs (ftp/slab-reader.ts), and an SFTP download its READ answers (sftp/pipelined-reader.ts),
 * because fresh memory per read costs more than the bytes (page faults and garbage collection: a 1 GiB
 * download spent more time there than moving data).
 *
 * The one consumer that knows when it is done with a chunk's bytes (the local file writer, once they are
 * on disk) hands it back with `handBack`. A chunk nobody hands back is garbage collected like any other,
 * so a consumer that knows nothing of this is never wrong, only slower. The rule for a consumer: hand back
 * only the chunk object it was given, and only when nothing (itself included) will read those bytes again.
 * A view of part of a chunk is a different object and is never handed back.
 */
const lenders = new WeakMap<Uint8Array, () => void>();

/** Marks `chunk` as lent: `onBack` runs once, when a consumer hands it back. */
export function lend<T extends Uint8Array>(chunk: T, onBack: () => void): T {
  lenders.set(chunk, onBack);
  return chunk;
}

/** Whether `chunk`'s reader wants its memory back (a consumer that can finish with it at once should). */
export function isLent(chunk: Uint8Array): boolean {
  return lenders.has(chunk);
}

/** The consumer no longer needs `chunk`'s bytes: its memory may be reused (a chunk not lent: nothing happens). */
export function handBack(chunk: Uint8Array): void {
  const onBack = lenders.get(chunk);
  if (!onBack) return;
  lenders.delete(chunk);
  onBack();
}
