import { describe, expect, it } from 'vitest';
import { loadDataCsv, passThrough } from '../../electron/core/databases/mysql/load-csv';
import { RowOrigins } from '../../electron/core/databases/mysql/load-encode';
import type { CsvDialect, LogicalType } from '../../electron/core/table/types';

/**
 * The scan that hands a CSV file's own bytes to LOAD DATA: what it changes (only what MySQL reads
 * differently from Ferry's reader), what it keeps byte for byte, and the line each row started on, across
 * chunk boundaries anywhere. The server side of it runs in mysql-cli.test.ts.
 */
const dialect = (d: Partial<CsvDialect> = {}): CsvDialect => ({
  delimiter: ',', quote: '"', escape: '"', header: true, lineEnding: '\n', encoding: 'utf-8', bom: false, gzip: false, decimalComma: false, ...d,
});

async function scan(text: string | Buffer, types: LogicalType[], d = dialect(), chunk = 1 << 16) {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const origins = new RowOrigins();
  const counted = { rows: 0 };
  const out: Buffer[] = [];
  for await (const b of loadDataCsv(chunks(), d, types, origins, counted)) out.push(b);
  return { text: Buffer.concat(out).toString('utf8'), rows: counted.rows, line: (row: number) => origins.at(row) };
}

const S: LogicalType = { kind: 'string' };

describe('the CSV bytes LOAD DATA reads', () => {
  it('NULL and the empty string stay apart; the text NULL stays text; the rest is kept byte for byte', async () => {
    const csv = 'a,b,c\n,"",NULL\n"x ""q"", y",,"NULL"\n';
    for (const chunk of [1, 2, 3, 7, 1 << 16]) {
      const r = await scan(csv, [S, S, S], dialect(), chunk);
      expect(r.text, `chunk ${chunk}`).toBe('NULL,"","NULL"\n"x ""q"", y",NULL,"NULL"\n');
      expect(r.rows).toBe(2);
    }
  });

  it('booleans become 1/0 and zoned timestamps UTC wall-clock text; MySQL-shaped values pass as they are', async () => {
    const types: LogicalType[] = [{ kind: 'boolean' }, { kind: 'timestamp', unit: 'us', tz: 'UTC' }, { kind: 'int64' }];
    const csv = 'f,at,n\ntrue,2026-03-29T00:59:59.999999+00:00,1\nFALSE,2026-10-25 02:30:00+02:00,-2\n"true","2020-01-01 00:00:37+00",\n,2026-03-08T01:59:59-05:00,3\n';
    const r = await scan(csv, types);
    expect(r.text).toBe('1,2026-03-29 00:59:59.999999,1\n0,2026-10-25 00:30:00,-2\n1,2020-01-01 00:00:37,NULL\nNULL,2026-03-08 06:59:59,3\n');
  });

  it('timestamps in MySQL\'s own shape: a UTC suffix is dropped, any other offset converted, even written with a space', async () => {
    const types: LogicalType[] = [{ kind: 'timestamp', unit: 'us', tz: 'UTC' }, { kind: 'boolean' }];
    const csv =
      'at,f\n2026-03-08 01:59:59-05:00,false\n2026-03-08 01:59:59.25+0000, true\n2026-03-08 01:59:59.5z,True\n' +
      '2026-03-08 01:59:59+00:00,false\n2026-03-08 01:59:59.123456,true\n2026-03-08 01:59:59+01,false\n';
    for (const chunk of [1, 9, 1 << 16]) {
      const r = await scan(csv, types, dialect(), chunk);
      expect(r.text, `chunk ${chunk}`).toBe(
        '2026-03-08 06:59:59,0\n2026-03-08 01:59:59.25,1\n2026-03-08 01:59:59.5,1\n2026-03-08 01:59:59,0\n2026-03-08 01:59:59.123456,1\n2026-03-08 00:59:59,0\n',
      );
    }
  });

  it('each row keeps the line it starts on: multi-line fields, empty lines, CRLF, a BOM and a last line without a newline', async () => {
    const csv = '\uFEFFa,b\r\n1,"two\r\nlines"\r\n\r\n3,x\r\n4,\r\n5,y';
    for (const chunk of [1, 5, 1 << 16]) {
      const r = await scan(csv, [{ kind: 'int32' }, S], dialect({ lineEnding: '\r\n', bom: true }), chunk);
      expect(r.text, `chunk ${chunk}`).toBe('1,"two\r\nlines"\r\n3,x\r\n4,NULL\r\n5,y\r\n');
      expect([1, 2, 3, 4].map(r.line)).toEqual([2, 5, 6, 7]);
    }
  });

  it('without a header the first row is data; invalid UTF-8 and ragged rows are left for the server to refuse', async () => {
    const bytes = Buffer.concat([Buffer.from('a,1\nb'), Buffer.from([0xff]), Buffer.from(',2,extra\n')]);
    const r = await scan(bytes, [S, { kind: 'int32' }], dialect({ header: false }));
    expect(r.text).toBe(bytes.toString('utf8'));
    expect(r.rows).toBe(2);
    expect(r.line(2)).toBe(2);
  });

  it('goes this way only when MySQL reads the dialect as Ferry does', () => {
    const input = (d: Partial<CsvDialect>, types: LogicalType[] = [S]) => ({
      schema: { columns: types.map((type, i) => ({ name: `c${i}`, type })) },
      batches: async function* () {},
      csv: { dialect: dialect(d), bytes: async () => (async function* () {})() },
    });
    expect(passThrough(input({}))).not.toBeNull();
    expect(passThrough(input({ delimiter: ';', decimalComma: true }))).toBeNull();
    expect(passThrough(input({ encoding: 'windows-1252' }))).toBeNull();
    expect(passThrough(input({ escape: '\\' }))).toBeNull();
    expect(passThrough(input({ lineEnding: '\r' }))).toBeNull();
    expect(passThrough(input({}, [{ kind: 'timestamp', unit: 'ns', tz: null }]))).toBeNull();
  });
});
