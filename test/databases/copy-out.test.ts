import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyFrames } from '../../electron/core/databases/postgres/copy-out';
import { PostgresConnector } from '../../electron/core/databases/postgres/connector';
import type { PostgresInfo } from '../servers/postgres';
import { copyOutBytes, message } from '../support/copy-frames';
import { server } from '../support/servers';

/**
 * COPY TO STDOUT read as framed rows (copy-out.ts): the server's bytes cut anywhere give back exactly
 * the rows, other messages are left out, and what follows the COPY (its completion, or an error) goes
 * back to pg; against a real server, an error in the middle of a COPY fails the read with the server's
 * words and leaves the connection usable.
 */
const rowsOf = (runs: Buffer[]) => {
  const rows: string[] = [];
  for (const run of runs) for (let p = 0; p < run.length; p += 1 + run.readUInt32BE(p + 1)) rows.push(run.toString('utf8', p + 5, p + 1 + run.readUInt32BE(p + 1)));
  return rows;
};

describe('COPY OUT frames', () => {
  const text = Buffer.from('a\t1\nb\t2\n' + 'c'.repeat(70_000) + '\t3\n');

  for (const chunk of [1, 3, 6, 4096, 1 << 20]) {
    it(`${chunk}-byte pieces: the rows whole and in order, notices left out, the rest back to pg`, () => {
      const { bytes, after } = copyOutBytes(text);
      const frames = new CopyFrames();
      const runs: Buffer[] = [];
      let end: string | null = null;
      let rest = Buffer.alloc(0);
      for (let i = 0; i < bytes.length && !end; i += chunk) {
        const s = frames.split(bytes.subarray(i, i + chunk));
        runs.push(...s.data);
        if (s.end) {
          end = s.end;
          rest = Buffer.concat([s.rest!, bytes.subarray(i + chunk)]);
        }
      }
      expect(end).toBe('done');
      expect(rest.equals(after)).toBe(true);
      expect(rowsOf(runs)).toEqual(['a\t1\n', 'b\t2\n', 'c'.repeat(70_000) + '\t3\n']);
    });
  }

  it('an ErrorResponse in the middle: the rows before it, then the error and all after it back to pg', () => {
    const error = message('E', Buffer.from('SERROR\0C22012\0Mdivision by zero\0\0'));
    const bytes = Buffer.concat([message('d', Buffer.from('x\n')), message('d', Buffer.from('y\n')), error, message('Z', Buffer.from('I'))]);
    const frames = new CopyFrames();
    const first = frames.split(bytes.subarray(0, 9));
    const second = frames.split(bytes.subarray(9));
    expect(rowsOf([...first.data, ...second.data])).toEqual(['x\n', 'y\n']);
    expect(first.end).toBeNull();
    expect(second.end).toBe('error');
    expect(second.rest!.equals(bytes.subarray(14))).toBe(true);
  });
});

const pgInfo = server<PostgresInfo>('postgres');

describe.skipIf(!pgInfo)('COPY OUT frames against PostgreSQL', () => {
  let conn: PostgresConnector;
  beforeAll(async () => {
    const p = pgInfo!;
    conn = await PostgresConnector.open({ host: p.host, port: p.port, user: p.user, password: p.password, database: p.database }, { hashes: [] } as never, 'pg');
  });
  afterAll(() => conn?.close());

  it('an error after thousands of rows fails the export with the server\'s words; the connection then still answers', async () => {
    const r = await conn.tables.read({ query: 'SELECT i, 1 / (i - 30000) AS x FROM generate_series(1, 60000) i' });
    let rows = 0;
    const read = (async () => {
      for await (const b of r.batches()) rows += b.rows.length;
    })();
    await expect(read).rejects.toThrow(/division by zero/);
    expect(rows).toBeGreaterThan(0);
    await expect(conn.tables.read({ query: 'SELECT 1 AS one' }).then(async (q) => {
      const got: unknown[] = [];
      for await (const b of q.batches()) got.push(...b.rows);
      return got;
    })).resolves.toEqual([[1]]);
  });

  it('a second COPY right after a first one read to its end', async () => {
    for (let k = 0; k < 3; k++) {
      const r = await conn.tables.read({ query: 'SELECT i FROM generate_series(1, 5000) i' });
      const bytes = [];
      for await (const c of r.csvBytes!({})!) bytes.push(Buffer.from(c));
      expect(Buffer.concat(bytes).toString().split('\n').length).toBe(5002);
    }
  });
});
