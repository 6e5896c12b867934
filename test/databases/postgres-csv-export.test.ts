import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyTextToCsv } from '../../electron/core/databases/postgres/copy-csv';
import { copyTextBatches } from '../../electron/core/databases/postgres/copy-text';
import { PostgresConnector } from '../../electron/core/databases/postgres/connector';
import { writeCsv } from '../../electron/core/table/csv/writer';
import type { Column, TableReader, WriteOptions } from '../../electron/core/table/types';
import type { PostgresInfo } from '../servers/postgres';
import { server } from '../support/servers';
import { framedRows } from '../support/copy-frames';

/**
 * The CSV export's fast path (COPY text rewritten into CSV bytes without building values) must write
 * byte for byte what Ferry's CSV writer writes from the same rows' values, whatever the values and the
 * writer's options: checked against the writer on a real PostgreSQL table of hostile values.
 */
const pgInfo = server<PostgresInfo>('postgres');
const schema = `csvx${process.pid}`;
let db: pg.Client;
let conn: PostgresConnector;

const collect = async (chunks: AsyncIterable<Uint8Array>) => {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
};
const viaWriter = (r: TableReader, opts: WriteOptions) => collect(writeCsv(r.schema, r.batches(), opts));

const OPTIONS: WriteOptions[] = [{}, { delimiter: '\t' }, { delimiter: ';', header: false }, { delimiter: '|' }];

describe.skipIf(!pgInfo)('PostgreSQL export to CSV without building values', () => {
  beforeAll(async () => {
    const p = pgInfo!;
    db = new pg.Client({ host: p.host, port: p.port, user: p.user, password: p.password, database: p.database });
    await db.connect();
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query(`CREATE TABLE ${schema}.odd ("a ""quoted"", name" bigint, i int, s smallint, d38 numeric(38,9), d12 numeric(12,2), d22 numeric(2,2),
      n numeric, t text, j json, jb jsonb, b boolean, day date, wall timestamp, at timestamptz, tm time, raw bytea, f8 float8, f4 float4, u uuid, arr text[], iv interval)`);
    const texts = ['', '\\N', 'N', 'tab\there', 'line\nbreak', 'cr\rhere', 'say "hi"', 'a,b', 'a;b', 'a|b', ' lead', 'trail ', '\u00a0nbsp', 'nbsp\u00a0', '\u3000wide',
      'ünïcødé 😀', 'back\\slash', '"', '007', 'x'.repeat(70_000)];
    for (const [k, t] of texts.entries()) {
      await db.query(
        `INSERT INTO ${schema}.odd VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
        [
          ['9223372036854775807', '-9223372036854775808', '0', '-1'][k % 4], [2147483647, -2147483648, 0, -5][k % 4], [-32768, 32767, 0, 12][k % 4],
          ['12345678901234567890123456789.123456789', '-0.000000001', '0', '-5.5'][k % 4], ['-0.50', '1234567890.12', '0', '-12.00'][k % 4], ['0.99', '-0.01', '0', null][k % 4],
          ['1.50', '-0.0', 'NaN', '1e-20'][k % 4], t, k % 3 ? `{"v": 9007199254740993, "t": ${JSON.stringify(t)}}` : null, '{"b": 1, "a": [1, 2]}', [true, false, null][k % 3],
          ['1969-07-20', '0001-01-01', '10000-12-31', '2026-03-29'][k % 4],
          ['2026-03-29 02:30:00', '0001-01-01 00:00:00.001', '1969-12-31 23:59:59.999999', '2000-02-29 12:00:00.5'][k % 4],
          ['2026-03-29 00:59:59.999999+00', '1901-12-13 20:45:52.5+05:30', '1969-12-31 23:59:59.000001-09:30', '2020-01-01 00:00:00+00'][k % 4],
          ['00:00:00', '23:59:59.999999', '12:30:00.5', null][k % 4], Buffer.from([0, 9, 10, 34, 44, 92, 255].slice(0, k % 8)),
          [1e20, -1.5e-7, 0.1, Number.MAX_VALUE][k % 4], [0.1, 3.4e38, -1, 1e-10][k % 4], 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', [t, 'b,c', null], '1 day 02:03:04',
        ],
      );
    }
    await db.query(`INSERT INTO ${schema}.odd ("a ""quoted"", name") VALUES (NULL)`);
    await db.query(`CREATE TABLE ${schema}.many AS SELECT i::bigint AS id, (i * 1.37 % 100000)::numeric(12,2) AS amount, 'customer "' || (i % 9973) || '", street ' || (i % 101) AS name,
      DATE '2000-01-01' + (i % 9000) AS day, TIMESTAMPTZ '2020-01-01 00:00:00+00' + (i * 37.25) * INTERVAL '1 second' AS at, i % 3 = 0 AS flag FROM generate_series(1, 60000) i`);
    conn = await PostgresConnector.open({ host: p.host, port: p.port, user: p.user, password: p.password, database: p.database }, { hashes: [] } as never, 'pg');
  });

  afterAll(async () => {
    await conn?.close();
    await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await db?.end();
  });

  for (const opts of OPTIONS) {
    it(`hostile values, ${JSON.stringify(opts)}: the writer's bytes exactly`, async () => {
      const r = await conn.tables.read({ table: `/${schema}/odd` });
      const fast = await collect(r.csvBytes!(opts)!);
      expect(fast.length).toBeGreaterThan(70_000);
      expect(fast.equals(await viaWriter(r, opts))).toBe(true);
    });
  }

  it("60,000 rows (several output chunks): the writer's bytes exactly", async () => {
    const r = await conn.tables.read({ query: `SELECT * FROM ${schema}.many ORDER BY id` });
    const fast = await collect(r.csvBytes!({})!);
    expect(fast.toString().split('\n')[2]).toBe('2,2.74,"customer ""2"", street 2",2000-01-03,2020-01-01T00:01:14.5Z,false');
    expect(fast.equals(await viaWriter(r, {}))).toBe(true);
  });

  it('options the fast path cannot meet are left to the writer', async () => {
    const r = await conn.tables.read({ table: `/${schema}/many` });
    expect(r.csvBytes!({ encoding: 'utf-16le' })).toBeNull();
    expect(r.csvBytes!({ delimiter: '-' })).toBeNull();
  });
});

describe('COPY text to CSV bytes, the server\'s bytes in any chunking', () => {
  const cols: Column[] = [
    { name: 't', type: { kind: 'string' } },
    { name: 'at', type: { kind: 'timestamp', unit: 'us', tz: 'UTC' } },
    { name: 'n', type: { kind: 'decimal', precision: 5, scale: 2 } },
  ];
  // Not valid UTF-8 (a server in SQL_ASCII passes bytes through): decoded with U+FFFD, as the writer does.
  const text = Buffer.concat([Buffer.from('ok\t2026-03-29 00:59:59.5+00\t123.45\nbad '), Buffer.from([0xff, 0xc3]), Buffer.from('\t\\N\t-0.50\n\\\\N\t2020-01-01 00:00:00+01\t0.00\n')]);

  for (const chunk of [1, 5, 1 << 16]) {
    it(`${chunk}-byte chunks: the writer's bytes`, async () => {
      const parts = () => framedRows(text, chunk);
      const fast = await collect(copyTextToCsv(parts(), cols, 'test', {}));
      expect(fast.equals(await collect(writeCsv({ columns: cols }, copyTextBatches(parts(), cols, 'test'), {})))).toBe(true);
      expect(fast.toString()).toBe('t,at,n\nok,2026-03-29T00:59:59.5Z,123.45\nbad \ufffd\ufffd,,-0.50\n\\N,2019-12-31T23:00:00Z,0.00\n');
    });
  }
});
