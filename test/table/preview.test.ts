import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EndpointProvider } from '../../electron/core/endpoints';
import { writeParquet } from '../../electron/core/table/parquet/writer';
import { previewTable } from '../../electron/core/table/preview';
import type { Batch, Schema } from '../../electron/core/table/types';
import { PreviewCursors } from '../../electron/core/table/preview-cursors';
import { tempDir } from '../support/temp';
import { makeEndpoints } from '../transfer/support';

/** Page after page of a preview, as the grid asks while the user scrolls: each page continues where the last stopped. */
const dir = tempDir('ferry-preview-');
const endpoints = makeEndpoints();
afterAll(async () => {
  await endpoints.closeAll();
  dir.cleanup();
});

describe('preview pages', () => {
  it('consecutive pages of a CSV read the file once, not once per page; a jump back starts anew and agrees', async () => {
    const path = join(dir.path, 'rows.csv');
    const lines = ['n,text'];
    for (let i = 1; i <= 50_000; i++) lines.push(`${i},row ${i} ${'x'.repeat(30)}`);
    writeFileSync(path, lines.join('\n') + '\n');
    const cursors = new PreviewCursors();
    const page = (offset: number) => previewTable(endpoints, { endpoint: 'local', path, offset, limit: 5000, options: {} }, cursors);
    let last = null;
    for (let offset = 0; offset < 50_000; offset += 5000) {
      last = await page(offset);
      expect(last.rows[0][0]).toBe(offset + 1);
    }
    expect(last!.more).toBe(false);
    expect(last!.rows).toHaveLength(5000);
    // One pass over the file for all ten pages (a restart per page would read it about five times over).
    expect(last!.bytesRead).toBeLessThan(last!.size * 1.5);
    const again = await page(10_000);
    expect(again.rows[0]).toEqual([10_001, `row 10001 ${'x'.repeat(30)}`]);
    cursors.closeAll();
  });

  it('a Parquet preview reads its columns over one connection at a time (a second one would cost a new SSH login)', async () => {
    const path = join(dir.path, 'wide.parquet');
    const schema: Schema = { columns: Array.from({ length: 8 }, (_, c) => ({ name: `c${c}`, type: { kind: 'int64' } as const })) };
    async function* batches(): AsyncIterable<Batch> {
      for (let s = 0; s < 300_000; s += 4096) yield { rows: Array.from({ length: Math.min(4096, 300_000 - s) }, (_, r) => schema.columns.map((_c, c) => BigInt((s + r) * 8 + c))) };
    }
    // Column chunks of 2.4 MB, uncompressed: read a row's pages column by column, and (hyparquet) at once.
    const parts: Uint8Array[] = [];
    for await (const p of writeParquet(schema, batches(), { rowGroupRows: 300_000, compression: 'none' })) parts.push(p);
    writeFileSync(path, Buffer.concat(parts));
    let held = 0;
    let most = 0;
    const counting: EndpointProvider = {
      ...endpoints,
      async acquire(endpoint, signal) {
        const lease = await endpoints.acquire(endpoint, signal);
        most = Math.max(most, ++held);
        return { ...lease, release: (broken?: boolean) => (held--, lease.release(broken)) };
      },
      capabilities: (e) => endpoints.capabilities(e),
      label: (e) => endpoints.label(e),
    };
    const p = await previewTable(counting, { endpoint: 'local', path, offset: 150_000, limit: 100, options: {} });
    expect(p.rows[0]).toEqual(Array.from({ length: 8 }, (_, c) => String(150_000 * 8 + c)));
    expect(most).toBe(1);
  });
});
