import type { Batch, ByteSource, TableReader, Value } from './types';

/**
 * Where the last page of a preview stopped, kept a short while: the grid asks for page after page as the
 * user scrolls, and a CSV or JSON file cannot seek to row N, so without this each page would re-read the
 * file from its start (quadratic). A request for the row where a cursor stopped continues its stream; any
 * other offset opens the file anew. Idle cursors close after IDLE_MS and give their connection back.
 */
export interface Cursor {
  src: ByteSource;
  reader: TableReader;
  it: AsyncIterator<Batch>;
  /** Rows already read past `position`'s page, first of them at `position`. */
  pending: Value[][];
  position: number;
  done: boolean;
}

const IDLE_MS = 30_000;
const MAX_CURSORS = 4;

export class PreviewCursors {
  private readonly open = new Map<string, { cursor: Cursor; timer: NodeJS.Timeout }>();

  /** The cursor for `key` if it stopped exactly at `offset` (taken out: one request uses it at a time). */
  take(key: string, offset: number): Cursor | null {
    const held = this.open.get(key);
    if (!held) return null;
    this.open.delete(key);
    clearTimeout(held.timer);
    if (held.cursor.position === offset) return held.cursor;
    void close(held.cursor);
    return null;
  }

  put(key: string, cursor: Cursor): void {
    if (cursor.done && cursor.pending.length === 0) return void close(cursor);
    this.take(key, -1);
    while (this.open.size >= MAX_CURSORS) {
      const [oldest] = this.open.keys();
      this.take(oldest, -1);
    }
    const timer = setTimeout(() => this.take(key, -1), IDLE_MS);
    timer.unref();
    this.open.set(key, { cursor, timer });
  }

  closeAll(): void {
    for (const key of [...this.open.keys()]) this.take(key, -1);
  }
}

async function close(c: Cursor): Promise<void> {
  await c.it.return?.().catch(() => undefined);
}
