import { setFlagsFromString } from 'node:v8';

/**
 * Caps how far V8 lets the old generation grow between full collections (a factor of 2 instead of V8's
 * up-to-4 when collections look cheap). Table jobs keep little alive (a Parquet row group, a batch of
 * rows) but allocate fast, so by default the heap balloons far past what is live: a 1M-row Parquet → CSV
 * conversion peaked at 366-386 MB RSS with 45-62 MB live after each full GC; with this, 255-263 MB at
 * the same speed (docs/benchmarks.md, "Memory"). A flag V8 reads at each collection, so setting it at
 * start-up is enough; it changes no behaviour, only when garbage is collected.
 */
export function boundHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=100');
}
