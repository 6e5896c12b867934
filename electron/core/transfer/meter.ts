import type { Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { sleep } from './retry';

const THROTTLE_SLICE = 32 * 1024;

/**
 * A token bucket shared by all streams of one job: the job's bandwidth limit holds however many files are
 * in flight. A chunk larger than the bucket runs it into debt, which the next takers wait off, so the
 * average rate holds for any chunk size.
 */
export class Throttle {
  private tokens: number;
  private last = performance.now();
  private readonly burst: number;

  constructor(readonly bytesPerSecond: number) {
    this.burst = Math.max(16 * 1024, bytesPerSecond / 4);
    this.tokens = this.burst;
  }

  async take(n: number, signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.bytesPerSecond);
    this.last = now;
    this.tokens -= n;
    if (this.tokens < 0) await sleep((-this.tokens / this.bytesPerSecond) * 1000, signal);
  }
}

/**
 * The pass streamed bytes go through on their way to the destination: throttled, hashed (md5 of exactly
 * what was handed to the writer) and counted. Memory stays at one chunk whatever the file size. A small file
 * with nothing to hash or throttle skips it (file-task.ts, DIRECT_MAX_BYTES).
 */
export class Meter extends Transform {
  bytes = 0;

  constructor(
    private readonly opts: {
      hash: Hash | null;
      throttle: Throttle | null;
      onBytes: (n: number) => void;
      signal?: AbortSignal;
    },
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const { throttle } = this.opts;
    if (!throttle) {
      this.pass(chunk);
      return cb();
    }
    // Throttled in slices, so a large chunk from a fast reader still flows evenly (and progress with it).
    void (async () => {
      for (let at = 0; at < chunk.length; at += THROTTLE_SLICE) {
        const slice = chunk.subarray(at, at + THROTTLE_SLICE);
        await throttle.take(slice.length, this.opts.signal);
        this.pass(slice);
      }
    })().then(() => cb(), (e) => cb(e));
  }

  private pass(chunk: Buffer): void {
    this.opts.hash?.update(chunk);
    this.bytes += chunk.length;
    this.opts.onBytes(chunk.length);
    this.push(chunk);
  }
}

/** Bytes per second over a sliding window (a few seconds), from samples in fixed buckets. */
export class RateMeter {
  private readonly buckets: number[];
  private bucketStart = 0;
  private head = 0;
  private readonly born = performance.now();

  constructor(
    private readonly windowMs = 3000,
    private readonly bucketMs = 250,
  ) {
    this.buckets = new Array(Math.ceil(windowMs / bucketMs)).fill(0);
    this.bucketStart = this.born;
  }

  add(n: number): void {
    this.advance();
    this.buckets[this.head] += n;
  }

  /** Bytes per second; over the part of the window that has elapsed when the meter is young. */
  rate(): number {
    this.advance();
    const sum = this.buckets.reduce((a, b) => a + b, 0);
    const span = Math.min(this.windowMs, Math.max(this.bucketMs, performance.now() - this.born));
    return Math.round((sum * 1000) / span);
  }

  private advance(): void {
    const now = performance.now();
    let steps = Math.floor((now - this.bucketStart) / this.bucketMs);
    if (steps <= 0) return;
    this.bucketStart += steps * this.bucketMs;
    steps = Math.min(steps, this.buckets.length);
    for (let i = 0; i < steps; i++) {
      this.head = (this.head + 1) % this.buckets.length;
      this.buckets[this.head] = 0;
    }
  }
}
