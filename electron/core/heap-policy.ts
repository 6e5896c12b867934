import { setFlagsFromString } from 'node:v8';

/**
 * While a table job runs (a conversion, an export or a load), V8 may grow the old generation only so far
 * between full collections (`--heap-growing-percent`), instead of up to fourfold when collections look
 * cheap. Table jobs keep little alive (a Parquet row group, a batch of rows) but allocate fast, so by
 * default the heap ran far past what was live: a 1M-row Parquet → CSV conversion peaked at 366-386 MB RSS
 * with 45-62 MB live after each full GC.
 *
 * How far: the tightest bound any running table job asks for. Doubling (100) is the default; jobs that
 * hold more between collections ask for half (50): reading Parquet (a decoded row group, and the next one
 * read ahead) peaked at 275-310 MB under doubling once the CSV writer stopped making a string per cell,
 * 246-256 MB at half; loads into a database (a batch in the row form, plus the store's own buffers) came
 * within 5-20 MB of 300 MB. Half costs a CSV → Parquet conversion about 7% of CPU (interleaved runs), which
 * is why it is not everyone's bound. Outside table jobs V8's default returns: a file transfer pays for
 * collections and saves nothing (a 1 GiB SFTP download kept its peak either way, 10% slower bounded).
 * V8 reads the flag at each collection. Measurements: docs/benchmarks.md, "Memory".
 */
export const HEAP_DOUBLE = 100;
export const HEAP_HALF = 50;

const running: number[] = [];

export async function withBoundedHeap<T>(job: () => Promise<T>, growPercent: number = HEAP_DOUBLE): Promise<T> {
  running.push(growPercent);
  apply();
  try {
    return await job();
  } finally {
    running.splice(running.indexOf(growPercent), 1);
    apply();
  }
}

function apply(): void {
  setFlagsFromString(`--heap-growing-percent=${running.length ? Math.min(...running) : 0}`);
}
