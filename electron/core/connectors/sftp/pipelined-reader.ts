import { Readable } from 'node:stream';
import type { Entry } from '../../../../shared/connectors';
import { FerryError } from '../../errors';
import { reportFinalFacts } from '../final-facts';
import { lend } from '../lent-chunks';
import type { SftpSession } from './session';

export interface PipelineShape {
  /** Bytes asked for per READ request. */
  chunkSize: number;
  /** Requests in flight plus answers not yet consumed: bounds memory at chunkSize × depth. */
  depth: number;
}

/** Answers per slab, the buffer answers are read into: 16 x 32 KiB, so the consumer gets 512 KiB chunks. */
const SLAB_ANSWERS = 16;
/** Free slabs a reader keeps: what is in flight (depth answers, 4 slabs at 64) and being written, with room. */
const SPARES_KEPT = 8;

/** A slab and what still holds it: requests whose answers land in it, and pushed chunks not handed back. */
interface Slab {
  buf: Buffer;
  holds: number;
  /** No request will be cut from it any more (the next one went to a new slab). */
  retired: boolean;
}

interface Slot {
  pos: number;
  len: number;
  /** Where the answer goes: cut from a slab, right after the previous request's buffer when it could be. */
  buf: Buffer;
  slab: Slab;
  done: boolean;
  /** Bytes the server sent (a short answer is allowed). */
  got?: number;
  error?: unknown;
}

/** Whether `b`'s answer lands right after `a`'s in the same slab (small slabs may sit side by side in Node's pool). */
function joins(a: Slot, b: Slot): boolean {
  return a.slab === b.slab && a.buf.byteOffset + a.buf.length === b.buf.byteOffset;
}

/**
 * The bytes [start, end) of an open file handle, read with many READ requests in flight at increasing
 * offsets and delivered in order (one request at a time crawls: every chunk costs a round trip).
 * Backpressure: no new request while `depth` answers are already waiting to be consumed.
 * A short answer (allowed by the protocol) is followed by a request for the rest; an early end of file
 * (the file shrank while being read) ends the stream there. Closes the handle when done or destroyed.
 */
export class PipelinedReader extends Readable {
  private readonly slots: Slot[] = [];
  private next: number;
  private wanted = false;
  private handleClosed = false;
  private eof = false;
  private slab?: Slab;
  private slabUsed = 0;
  /**
   * Full-size slabs free for reuse: every chunk cut from them was handed back (../lent-chunks.ts) and no
   * answer can land in them. A local file written in place hands each chunk back once it is on disk, so a
   * 1 GiB download cycles through a few slabs instead of allocating 2,048 of 512 KiB for the collector.
   */
  private readonly spares: Buffer[] = [];
  /** Requests were dropped with answers possibly still to come (end of file, destroy): no slab is reused. */
  private abandoned = false;

  constructor(
    private readonly session: SftpSession,
    private readonly handle: Buffer,
    private readonly path: string,
    start: number,
    private readonly end: number,
    private readonly shape: PipelineShape,
    signal?: AbortSignal,
    /**
     * Asks the server for the open file's attributes (FSTAT), sent right behind each request that reads up to
     * `end`: the answer describes the file after the last byte was read (../final-facts.ts).
     */
    private readonly statAfterLast?: () => Promise<Entry>,
  ) {
    super({ highWaterMark: shape.chunkSize });
    this.next = start;
    if (signal) {
      const onAbort = () => this.destroy(new FerryError('CANCELLED', 'Cancelled'));
      if (signal.aborted) process.nextTick(onAbort);
      signal.addEventListener('abort', onAbort, { once: true });
      this.once('close', () => signal.removeEventListener('abort', onAbort));
    }
  }

  _read(): void {
    this.wanted = true;
    this.fill();
    this.deliver();
  }

  _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.abandon();
    // The close goes out behind (requests on one channel are handled in order), unawaited: a reader
    // destroyed because the server stopped answering (a timeout) must report that now, not when it answers.
    this.closeHandle().catch(() => {});
    cb(err);
  }

  /** Keeps `depth` requests in flight or waiting, whether or not the consumer is reading right now. */
  private fill(): void {
    while (!this.eof && this.slots.length < this.shape.depth && this.next < this.end) {
      const len = Math.min(this.shape.chunkSize, this.end - this.next);
      this.request(this.next, len, this.slots.length);
      this.next += len;
    }
  }

  private request(pos: number, len: number, index: number): void {
    const buf = this.carve(len, this.end - pos);
    const slab = this.slab!;
    slab.holds++;
    const slot: Slot = { pos, len, buf, slab, done: false };
    this.slots.splice(index, 0, slot);
    this.session
      .call<number>('read', this.path, (cb) => this.session.sftp.read(this.handle, buf, 0, len, pos, (err, n) => cb(err, n)))
      .then(
        (n) => {
          slot.got = n;
        },
        (e) => {
          slot.error = e;
        },
      )
      .then(() => {
        slot.done = true;
        this.deliver();
      });
    // Same tick, so the same socket write; a short answer's rest is asked for later and sends its own.
    if (this.statAfterLast && pos + len === this.end) reportFinalFacts(this, this.statAfterLast());
  }

  /**
   * A buffer for one answer, cut from a larger slab, right after the previous one: answers that fill a
   * slab are then pushed as one chunk without copying (below), and there is one allocation per slab
   * instead of one per request. A pushed slice is never written again.
   */
  private carve(len: number, left: number): Buffer {
    if (!this.slab || this.slab.buf.length - this.slabUsed < len) {
      if (this.slab) this.retire(this.slab);
      // Never more than the rest of the range: a small file gets a buffer of its size.
      const bytes = Math.max(len, Math.min(this.slabBytes, left));
      const spare = bytes === this.slabBytes ? this.spares.pop() : undefined;
      this.slab = { buf: spare ?? Buffer.allocUnsafe(bytes), holds: 0, retired: false };
      this.slabUsed = 0;
    }
    const buf = this.slab.buf.subarray(this.slabUsed, this.slabUsed + len);
    this.slabUsed += len;
    return buf;
  }

  private get slabBytes(): number {
    return this.shape.chunkSize * SLAB_ANSWERS;
  }

  private retire(slab: Slab): void {
    slab.retired = true;
    this.reuseIfFree(slab);
  }

  private release(slab: Slab): void {
    slab.holds--;
    this.reuseIfFree(slab);
  }

  private reuseIfFree(slab: Slab): void {
    if (this.abandoned || !slab.retired || slab.holds > 0 || slab.buf.length !== this.slabBytes) return;
    if (this.spares.length < SPARES_KEPT) this.spares.push(slab.buf);
  }

  /** Answers may still land in the memory of requests dropped unanswered: from now on every slab is new. */
  private abandon(): void {
    this.abandoned = true;
    this.spares.length = 0;
  }

  /**
   * Pushes the answers at the head of the queue, in file order, while the consumer wants data. Complete
   * answers lying next to each other in one slab go out as one chunk once the slab is filled: a consumer
   * writing to a file makes one write per chunk, and a write per 32 KiB answer costs more than the network.
   */
  private deliver(): void {
    if (this.destroyed) return;
    while (this.wanted && this.slots.length > 0 && this.slots[0].done) {
      const head = this.slots[0];
      if (head.error) return void this.destroy(head.error as Error);
      if (head.got === 0) {
        // End of file before `end`: the file shrank. Stop asking; what is still in flight is dropped.
        this.eof = true;
        this.slots.length = 0;
        this.abandon();
        break;
      }
      let taken = 1;
      let bytes = head.got!;
      let last = head;
      while (last.got === last.len && taken < this.slots.length && joins(last, this.slots[taken])) {
        const next = this.slots[taken];
        if (!next.done) break;
        if (next.error || next.got === 0) break;
        taken++;
        bytes += next.got!;
        last = next;
      }
      const more = this.slots[taken];
      // The slab is not filled yet and its next answer is on its way: wait for it.
      if (last.got === last.len && more && !more.done && joins(last, more)) break;
      this.slots.splice(0, taken);
      // A short answer: ask for the rest of it before anything after it.
      if (last.got! < last.len) this.request(last.pos + last.got!, last.len - last.got!, 0);
      // The taken slots' holds on their slab pass to the chunk, lent until its consumer hands it back.
      const slab = head.slab;
      slab.holds -= taken - 1;
      const chunk = lend(Buffer.from(head.buf.buffer, head.buf.byteOffset, bytes), () => this.release(slab));
      this.wanted = this.push(chunk);
    }
    if (this.slots.length === 0 && (this.eof || this.next >= this.end)) this.finish();
    else this.fill();
  }

  /**
   * Ends the stream at once; the handle's close goes out with the session's next request (its answer
   * changes nothing for a read that has all its bytes).
   */
  private finish(): void {
    if (this.handleClosed) return;
    this.handleClosed = true;
    this.session.closeSoon(this.handle);
    this.push(null);
  }

  private async closeHandle(): Promise<void> {
    if (this.handleClosed) return;
    this.handleClosed = true;
    if (!this.session.alive) return;
    await this.session.call('close', this.path, (cb) => this.session.sftp.close(this.handle, cb));
  }
}
