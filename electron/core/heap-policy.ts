import { setFlagsFromString } from 'node:v8';

/**
 * While a table job runs (a conversion, an export or a load), V8 may grow the old generation by at most half
 * between full collections instead of up to fourfold when collections look cheap. Table jobs
 * keep little alive (a Parquet row group, a batch of rows) but allocate fast, so by default the heap ran far
 * past what was live: a 1M-row Parquet → CSV conversion peaked at 366-386 MB RSS with 45-62 MB live after
 * each full GC; bounded to double, 255-271 MB at about the same speed. Once the CSV writer stopped making a
 * string per cell, collections came less often and doubling let the peak reach 275-310 MB; half: 246-256
 * MB, 3% slower (docs/benchmarks.md). It costs time in collections (7-15% of a
 * CSV → Parquet conversion, 10% of a 1 GiB SFTP download, whose memory it did not change), so it is not
 * the process's policy but the table jobs': set when the first starts, V8's default again when the last
 * ends. V8 reads the flag at each collection. Measurements: docs/benchmarks.md, "Memory".
 */
let running = 0;

export async function withBoundedHeap<T>(job: () => Promise<T>): Promise<T> {
  if (running++ === 0) setFlagsFromString('--heap-growing-percent=50');
  try {
    return await job();
  } finally {
    if (--running === 0) setFlagsFromString('--heap-growing-percent=0');
  }
}
