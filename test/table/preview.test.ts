import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { previewTable } from '../../electron/core/table/preview';
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
});
