import { describe, expect, it } from 'vitest';
import { copyTextBatches } from '../../electron/core/databases/postgres/copy-text';
import type { Column } from '../../electron/core/table/types';
import { parseTimestamp, rowToJson } from '../../electron/core/table/values';
import { framedRows } from '../support/copy-frames';

/**
 * PostgreSQL's COPY text format as the server writes it (DateStyle ISO), split across arbitrary chunks:
 * escapes, NULL vs the text \N, and the timestamp fast path agreeing with the general parser.
 */
const cols: Column[] = [
  { name: 't', type: { kind: 'string' } },
  { name: 'at', type: { kind: 'timestamp', unit: 'us', tz: 'UTC' } },
  { name: 'wall', type: { kind: 'timestamp', unit: 'us', tz: null } },
  { name: 'd', type: { kind: 'date' } },
  { name: 'b', type: { kind: 'binary' } },
];

async function parse(text: string, chunk: number) {
  const rows: unknown[][] = [];
  for await (const b of copyTextBatches(framedRows(Buffer.from(text), chunk), cols, 'test')) rows.push(...b.rows.map((r) => rowToJson(r, cols)));
  return rows;
}

describe('COPY text rows', () => {
  const text = [
    'tab\\there\\nnew\\\\line\t2026-03-29 00:59:59.999999+00\t2026-03-29 02:30:00\t1969-07-20\t\\\\x00ff',
    '\\\\N\t1901-12-13 20:45:52.5+05:30\t0001-01-01 00:00:00.001\t2099-12-31\t\\N',
    '\\N\t2026-01-01 00:00:00-03\t\\N\t\\N\t\\\\x',
    '',
  ].join('\n');

  for (const chunk of [1, 7, 1 << 16]) {
    it(`in ${chunk}-byte chunks: escapes undone, NULL unlike the text \\N, exact timestamps`, async () => {
      expect(await parse(text, chunk)).toEqual([
        ['tab\there\nnew\\line', '2026-03-29T00:59:59.999999Z', '2026-03-29T02:30:00', '1969-07-20', Buffer.from([0, 255]).toString('base64')],
        ['\\N', '1901-12-13T15:15:52.5Z', '0001-01-01T00:00:00.001', '2099-12-31', null],
        [null, '2026-01-01T03:00:00Z', null, null, ''],
      ]);
    });
  }

  it('the fast timestamp path gives what the general parser gives', async () => {
    for (const s of ['2026-03-29 00:59:59.999999+00', '1901-12-13 20:45:52.5+05:30', '1969-12-31 23:59:59.000001-09:30:15', '2000-02-29 12:00:00']) {
      const rows = await parse(`x\t${s}\t2000-01-01 00:00:00\t2000-01-01\t\\N\n`, 1 << 16);
      const expected = parseTimestamp(s.replace(/-09:30:15$/, '-09:30'), 'us')!.value + (s.endsWith(':15') ? 15_000_000n : 0n);
      expect(rows[0][1]).toBe(rowToJson([expected], [cols[1]])[0]);
    }
  });
});
