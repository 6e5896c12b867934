import { Readable } from 'node:stream';
import { FerryError } from '../../errors';
import type { SftpSession } from './session';

export interface PipelineShape {
  /** Bytes asked for per READ request. */
  chunkSize: number;
  /** Requests in flight plus answers not yet consumed: bounds memory at chunkSize × depth. */
  depth: number;
}

interface Slot {
  pos: number;
  len: number;
  done: boolean;
  data?: Buffer;
  error?: unknown;
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

  constructor(
    private readonly session: SftpSession,
    private readonly handle: Buffer,
    private readonly path: string,
    start: number,
    private readonly end: number,
    private readonly shape: PipelineShape,
    signal?: AbortSignal,
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
    this.closeHandle().then(() => cb(err), () => cb(err));
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
    const slot: Slot = { pos, len, done: false };
    this.slots.splice(index, 0, slot);
    const buf = Buffer.allocUnsafe(len);
    this.session
      .call<number>('read', this.path, (cb) => this.session.sftp.read(this.handle, buf, 0, len, pos, (err, n) => cb(err, n)))
      .then(
        (n) => {
          slot.data = buf.subarray(0, n);
        },
        (e) => {
          slot.error = e;
        },
      )
      .then(() => {
        slot.done = true;
        this.deliver();
      });
  }

  /** Pushes the answers at the head of the queue, in file order, while the consumer wants data. */
  private deliver(): void {
    if (this.destroyed) return;
    while (this.wanted && this.slots.length > 0 && this.slots[0].done) {
      const slot = this.slots.shift()!;
      if (slot.error) return void this.destroy(slot.error as Error);
      const data = slot.data!;
      if (data.length === 0) {
        // End of file before `end`: the file shrank. Stop asking; what is still in flight is dropped.
        this.eof = true;
        this.slots.length = 0;
        break;
      }
      // A short answer: ask for the rest of this slot before anything after it.
      if (data.length < slot.len) this.request(slot.pos + data.length, slot.len - data.length, 0);
      this.wanted = this.push(data);
    }
    if (this.slots.length === 0 && (this.eof || this.next >= this.end)) this.finish();
    else this.fill();
  }

  /** Ends the stream at once; the handle's close goes out behind it (its answer changes nothing for a read). */
  private finish(): void {
    if (this.handleClosed) return;
    this.closeHandle().catch(() => {});
    this.push(null);
  }

  private async closeHandle(): Promise<void> {
    if (this.handleClosed) return;
    this.handleClosed = true;
    if (!this.session.alive) return;
    await this.session.call('close', this.path, (cb) => this.session.sftp.close(this.handle, cb));
  }
}
