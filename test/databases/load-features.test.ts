import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresInfo } from '../servers/postgres';
import type { SshdInfo } from '../servers/sshd';
import { ferry } from '../support/cli';
import { postgresForCli } from '../support/postgres-profile';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';

/**
 * The load layer through `ferry load` against the real PostgreSQL: each transform, upsert, the error policy
 * (all-or-nothing, --max-errors with a rejects file, here and on SFTP), the dry run, and column problems
 * reported before any row is written. Every check reads the table back with its own SQL connection.
 */
const pgInfo = server<PostgresInfo>('postgres');
const sshd = server<SshdInfo>('sshd');
const home = tempDir('ferry-load-');
const work = tempDir('ferry-load-work-');
const at = (name: string) => join(work.path, name);
const schema = `l${process.pid}`;
const run = (args: string[], stdin?: string) => ferry(args, { home: home.path, stdin });
let db: pg.Client;

async function sql<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await db.query(text, values)).rows as T[];
}

/**
 * Text in an integer column (line 3), too many fields (5), a date that does not exist (7), and, past the
 * 256 KiB the reader sniffs (so the file is read as the UTF-8 it mostly is), bytes that are not UTF-8 (20009).
 */
const FILLER = 20_000;
function badCsv(path: string): void {
  const lines = [
    Buffer.from('sku,qty,day\n'),
    Buffer.from('a,1,2026-01-01\n'),
    Buffer.from('b,three,2026-01-02\n'),
    Buffer.from('c,3,2026-01-03\n'),
    Buffer.from('d,4,2026-01-04,surplus\n'),
    Buffer.from('f,6,2026-01-06\n'),
    Buffer.from('g,7,2026-02-30\n'),
    Buffer.from('h,8,2026-01-08\n'),
    Buffer.from('z,0,2026-01-01\n'.repeat(FILLER)),
    Buffer.concat([Buffer.from('e'), Buffer.from([0xff, 0xfe]), Buffer.from(',5,2026-01-05\n')]),
    Buffer.from('i,9,2026-01-09\n'),
  ];
  writeFileSync(path, Buffer.concat(lines));
}
const BAD_LINES = ['3', '5', '7', String(FILLER + 9)];

describe.skipIf(!pgInfo)('ferry load: transforms, upsert, rejects and the dry run (PostgreSQL)', () => {
  beforeAll(async () => {
    const setup = await postgresForCli(pgInfo!, schema, run);
    db = setup.db;
    expect(setup.added.code, setup.added.stderr).toBe(0);
    badCsv(at('bad.csv'));
  });

  afterAll(async () => {
    await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await db?.end();
    home.cleanup();
    work.cleanup();
  });

  it('--columns, --rename, --null-as, --trim, --fill and --cast shape the rows of a new table', async () => {
    writeFileSync(at('people.csv'), 'id,Name,score,joined,unused\n1,  ann  ,10,2024-01-05,x\n2,bob,NA,2024-02-29,y\n3,NA,7,NA,z\n');
    const r = await run([
      'load', at('people.csv'), `pg:${schema}.people`, '--mode', 'create',
      '--columns', 'id,name,score,joined', '--rename', 'Name=full_name', '--null-as', 'NA', '--trim',
      '--fill', 'score=0', '--fill', 'full_name=unknown', '--cast', 'id=int64', '--cast', 'score=decimal(10,2)', '--cast', 'joined=date',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/3 rows loaded/);
    const types = await sql<{ column_name: string; data_type: string }>(
      `SELECT column_name, format_type(atttypid, atttypmod) AS data_type FROM pg_attribute a JOIN information_schema.columns c ON c.column_name = a.attname
        WHERE a.attrelid = '${schema}.people'::regclass AND c.table_schema = $1 AND c.table_name = 'people' AND a.attnum > 0 ORDER BY a.attnum`,
      [schema],
    );
    expect(types).toEqual([
      { column_name: 'id', data_type: 'bigint' },
      { column_name: 'full_name', data_type: 'text' },
      { column_name: 'score', data_type: 'numeric(10,2)' },
      { column_name: 'joined', data_type: 'date' },
    ]);
    expect(await sql(`SELECT id::text, full_name, score::text, joined::text FROM ${schema}.people ORDER BY id`)).toEqual([
      { id: '1', full_name: 'ann', score: '10.00', joined: '2024-01-05' },
      { id: '2', full_name: 'bob', score: '0.00', joined: '2024-02-29' },
      { id: '3', full_name: 'unknown', score: '7.00', joined: null },
    ]);
  });

  it('upsert updates the rows whose key is there and inserts the others; a key that is not unique is refused', async () => {
    await sql(`CREATE TABLE ${schema}.stock (sku text PRIMARY KEY, qty int, note text)`);
    await sql(`INSERT INTO ${schema}.stock VALUES ('a', 1, 'old a'), ('b', 2, 'old b')`);
    writeFileSync(at('stock.csv'), 'SKU,qty\nb,20\nc,30\n');
    const dry = await run(['load', at('stock.csv'), `pg:${schema}.stock`, '--mode', 'upsert', '--dry-run', '--json']);
    expect(JSON.parse(dry.stdout).ddl).toEqual([
      `CREATE TEMP TABLE "ferry_upsert" ON COMMIT DROP AS SELECT "sku", "qty" FROM "${schema}"."stock" WITH NO DATA`,
      `INSERT INTO "${schema}"."stock" ("sku", "qty") SELECT "sku", "qty" FROM pg_temp."ferry_upsert" ON CONFLICT ("sku") DO UPDATE SET "qty" = EXCLUDED."qty"`,
    ]);
    const r = await run(['load', at('stock.csv'), `pg:${schema}.stock`, '--mode', 'upsert']);
    expect(r.code, r.stderr).toBe(0);
    expect(await sql(`SELECT sku, qty, note FROM ${schema}.stock ORDER BY sku`)).toEqual([
      { sku: 'a', qty: 1, note: 'old a' },
      { sku: 'b', qty: 20, note: 'old b' },
      { sku: 'c', qty: 30, note: null },
    ]);
    const notUnique = await run(['load', at('stock.csv'), `pg:${schema}.stock`, '--mode', 'upsert', '--key', 'qty']);
    expect(notUnique.code).toBe(1);
    expect(notUnique.stderr).toMatch(/\(qty\) is not unique in .*stock/);
    writeFileSync(at('twice.csv'), 'sku,qty\nd,1\nd,2\n');
    const twice = await run(['load', at('twice.csv'), `pg:${schema}.stock`, '--mode', 'upsert']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/same key/);
    expect(await sql(`SELECT count(*)::int AS n FROM ${schema}.stock`)).toEqual([{ n: 3 }]);
  });

  it('bad rows without --max-errors: the first is named and the table is exactly as it was', async () => {
    await sql(`CREATE TABLE ${schema}.strict (sku text, qty int, day date)`);
    await sql(`INSERT INTO ${schema}.strict VALUES ('kept', 1, '2020-01-01')`);
    const r = await run(['load', at('bad.csv'), `pg:${schema}.strict`, '--mode', 'truncate', '--trim']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.csv, line 3, column qty: "three" is not a int32/);
    expect(await sql(`SELECT sku, qty, day::text FROM ${schema}.strict`)).toEqual([{ sku: 'kept', qty: 1, day: '2020-01-01' }]);
  });

  it('--max-errors: each bad row is in the rejects file with its line and reason, every good row is loaded', async () => {
    await sql(`CREATE TABLE ${schema}.lenient (sku text, qty int, day date)`);
    const rejects = at('lenient.rejects.csv');
    const r = await run(['load', at('bad.csv'), `pg:${schema}.lenient`, '--max-errors', '10', '--rejects', rejects, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [file] = JSON.parse(r.stdout).files;
    expect(file.rows, JSON.stringify(file)).toEqual({ read: FILLER + 9, loaded: FILLER + 5, rejected: 4 });
    expect(file.reason).toBe(`${FILLER + 5} rows loaded, 4 rejected of ${FILLER + 9} read (rejects: local:${rejects})`);
    expect(await sql(`SELECT sku, qty FROM ${schema}.lenient WHERE sku <> 'z' ORDER BY sku`)).toEqual([
      { sku: 'a', qty: 1 },
      { sku: 'c', qty: 3 },
      { sku: 'f', qty: 6 },
      { sku: 'h', qty: 8 },
      { sku: 'i', qty: 9 },
    ]);
    expect(await sql(`SELECT count(*)::int AS n FROM ${schema}.lenient WHERE sku = 'z'`)).toEqual([{ n: FILLER }]);
    const lines = readFileSync(rejects, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('line,column,reason,raw');
    expect(lines.slice(1)).toEqual([
      '3,qty,"""three"" is not a int32","b,three,2026-01-02"',
      '5,,4 fields where the header has 3: the extra ones are left out,"d,4,2026-01-04,surplus"',
      '7,day,"""2026-02-30"" is not a date","g,7,2026-02-30"',
      `${FILLER + 9},sku,bytes that are not valid UTF-8,"e\uFFFD\uFFFD,5,2026-01-05"`,
    ]);
  });

  it('more rejected rows than --max-errors: the load fails and rolls back; the rejects so far are written', async () => {
    await sql(`CREATE TABLE ${schema}.capped (sku text, qty int, day date)`);
    await sql(`INSERT INTO ${schema}.capped VALUES ('kept', 1, '2020-01-01')`);
    const rejects = at('capped-given.rejects.csv');
    const r = await run(['load', at('bad.csv'), `pg:${schema}.capped`, '--mode', 'truncate', '--max-errors', '2', '--rejects', rejects]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ferry: More than 2 rows were rejected \(the last: line 7, column day: .*2026-02-30/m);
    expect(await sql(`SELECT sku FROM ${schema}.capped`)).toEqual([{ sku: 'kept' }]);
    expect(readFileSync(rejects, 'utf8').trim().split('\n')).toHaveLength(4);
    // Without --rejects, the file is TABLE.rejects.csv in the current folder.
    const here = await ferry(['load', at('bad.csv'), `pg:${schema}.capped`, '--max-errors', '1'], { home: home.path, cwd: work.path });
    expect(here.code).toBe(1);
    expect(readFileSync(at('capped.rejects.csv'), 'utf8').trim().split('\n').map((l) => l.split(',')[0])).toEqual(['line', '3', '5']);
  });

  it.skipIf(!sshd)('the rejects file can be on an SFTP server', async () => {
    const s = sshd!;
    const add = await run(['profile', 'add', 'partner', '--type', 'sftp', '--host', s.host, '--port', String(s.port), '--user', s.user, '--password-stdin'], s.password);
    expect(add.code, add.stderr).toBe(0);
    const probe = await run(['ls', `partner:${s.home}`]);
    const fp = /--trust-host-key (SHA256:[A-Za-z0-9+/]+)/.exec(probe.stderr)?.[1];
    expect(fp, probe.stderr).toBeTruthy();
    await sql(`CREATE TABLE ${schema}.remote (sku text, qty int, day date)`);
    const r = await run(['--trust-host-key', fp!, 'load', at('bad.csv'), `pg:${schema}.remote`, '--max-errors', '4', '--rejects', `partner:${s.home}/remote.rejects.csv`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/rejects: partner:.*remote\.rejects\.csv/);
    const text = readFileSync(join(s.home, 'remote.rejects.csv'), 'utf8');
    expect(text.split('\n').filter(Boolean).map((l) => l.split(',')[0])).toEqual(['line', ...BAD_LINES]);
    expect(await sql(`SELECT count(*)::int AS n FROM ${schema}.remote`)).toEqual([{ n: FILLER + 5 }]);
  });

  it('--dry-run shows the mapping, the CREATE TABLE and the first rows, and creates nothing', async () => {
    writeFileSync(at('dry.csv'), 'id,amount\n1,2.50\n2,3.75\n');
    const r = await run(['load', at('dry.csv'), `pg:${schema}.dry`, '--mode', 'create', '--dry-run', '--rename', 'amount=total']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/amount\s+→\s+total\s+decimal\(18,2\)\s+numeric\(18,2\)/);
    expect(r.stdout).toContain(`CREATE TABLE "${schema}"."dry" ("id" integer, "total" numeric(18,2));`);
    expect(r.stdout).toMatch(/2\s+3\.75/);
    const json = await run(['load', at('dry.csv'), `pg:${schema}.dry`, '--mode', 'create', '--dry-run', '--json']);
    const plan = JSON.parse(json.stdout);
    expect(plan).toMatchObject({ exists: false, problems: [], rows: [[1, '2.50'], [2, '3.75']], columns: [{ name: 'id', type: 'int32' }, { name: 'amount', type: 'decimal(18,2)' }] });
    expect(await sql(`SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'dry'`, [schema])).toEqual([{ n: 0 }]);
  });

  it('--dry-run of a truncate leaves the rows; bad rows show as warnings with their lines', async () => {
    await sql(`CREATE TABLE ${schema}.keep (sku text, qty int, day date)`);
    await sql(`INSERT INTO ${schema}.keep VALUES ('kept', 1, '2020-01-01')`);
    const r = await run(['load', at('bad.csv'), `pg:${schema}.keep`, '--mode', 'truncate', '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.ddl).toEqual([`TRUNCATE "${schema}"."keep"`]);
    expect(plan.exists).toBe(true);
    expect(plan.rows.slice(0, 5).map((row: unknown[]) => row[0])).toEqual(['a', 'c', 'f', 'h', 'z']);
    expect(plan.rows).toHaveLength(17);
    expect(plan.warnings.filter((w: { line?: number }) => w.line).map((w: { line: number }) => w.line)).toEqual([3, 5, 7]);
    expect(await sql(`SELECT sku FROM ${schema}.keep`)).toEqual([{ sku: 'kept' }]);
  });

  it('ambiguous, unknown and extra columns are reported before any row is written', async () => {
    await sql(`CREATE TABLE ${schema}.cased ("Code" text, "code" text, qty int)`);
    await sql(`INSERT INTO ${schema}.cased VALUES ('x', 'y', 1)`);
    writeFileSync(at('cased.csv'), 'CODE,qty,colour\nA,1,red\n');
    const r = await run(['load', at('cased.csv'), `pg:${schema}.cased`, '--mode', 'truncate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"CODE" matches "Code" and "code"/);
    expect(r.stderr).toMatch(/no column "colour".*--columns.*--rename colour=COLUMN/);
    const unknown = await run(['load', at('cased.csv'), `pg:${schema}.cased`, '--columns', 'qty,size']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/--columns "size": The file has no such column \(its columns: CODE, qty, colour\)/);
    const fixed = await run(['load', at('cased.csv'), `pg:${schema}.cased`, '--mode', 'truncate', '--columns', 'CODE,qty', '--rename', 'CODE=Code']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(await sql(`SELECT "Code", code, qty FROM ${schema}.cased`)).toEqual([{ Code: 'A', code: null, qty: 1 }]);
    expect(existsSync(at('cased.rejects.csv'))).toBe(false);
  });

  it('a row the database refuses during the bulk load (a duplicate key) fails the load with its line, even with --max-errors', async () => {
    await sql(`CREATE TABLE ${schema}.unique_sku (sku text PRIMARY KEY, qty int)`);
    await sql(`INSERT INTO ${schema}.unique_sku VALUES ('kept', 1)`);
    writeFileSync(at('dupes.csv'), 'sku,qty\na,1\nb,x\nc,3\na,4\n');
    const r = await run(['load', at('dupes.csv'), `pg:${schema}.unique_sku`, '--max-errors', '5', '--rejects', at('dupes.rejects.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/dupes\.csv, line 5: .*duplicate key value violates unique constraint/);
    expect(await sql(`SELECT sku FROM ${schema}.unique_sku`)).toEqual([{ sku: 'kept' }]);
  });

  it('a Parquet source is checked value by value too: rows are counted from 1', async () => {
    await sql(`CREATE TABLE ${schema}.wide (id bigint, amount numeric(12,2))`);
    await sql(`INSERT INTO ${schema}.wide VALUES (1, 1.5), (3000000000, 2.25), (3, 1234567890.123)`);
    expect((await run(['export', `pg:${schema}.wide`, at('wide.parquet')])).code).toBe(0);
    await sql(`CREATE TABLE ${schema}.narrow_types (id int, amount numeric(12,2))`);
    const rejects = at('narrow.rejects.csv');
    const r = await run(['load', at('wide.parquet'), `pg:${schema}.narrow_types`, '--max-errors', '5', '--rejects', rejects]);
    expect(r.code, r.stderr).toBe(0);
    expect(await sql(`SELECT id, amount::text FROM ${schema}.narrow_types ORDER BY id`)).toEqual([
      { id: 1, amount: '1.50' },
      { id: 3, amount: '1234567890.12' },
    ]);
    expect(readFileSync(rejects, 'utf8')).toBe('row,column,reason,raw\n2,id,"""3000000000"" is not a int32","3000000000,2.25"\n');
  });

  it('ferry export --columns and --rename choose and name the columns of the file', async () => {
    await sql(`CREATE TABLE ${schema}.out (id int, secret text, "Amount" numeric(8,2))`);
    await sql(`INSERT INTO ${schema}.out VALUES (1, 'x', 2.50), (2, 'y', NULL)`);
    const r = await run(['export', `pg:${schema}.out`, at('out.csv'), '--columns', 'amount,id', '--rename', 'Amount=total']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(at('out.csv'), 'utf8')).toBe('total,id\n2.50,1\n,2\n');
    const bad = await run(['export', `pg:${schema}.out`, at('bad-out.csv'), '--columns', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--columns "nope": .* has no such column \(its columns: id, secret, Amount\)/);
    expect(existsSync(at('bad-out.csv'))).toBe(false);
  });

  it('a table as the source: its dry run and its load with --rename go through the same layer', async () => {
    await sql(`CREATE TABLE ${schema}.src (id bigint, label text)`);
    await sql(`INSERT INTO ${schema}.src VALUES (1, 'one'), (2, NULL)`);
    const dry = await run(['load', `pg:${schema}.src`, `pg:${schema}.copy`, '--mode', 'create', '--rename', 'label=name', '--fill', 'name=none', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ exists: false, rows: [['1', 'one'], ['2', 'none']], ddl: [`CREATE TABLE "${schema}"."copy" ("id" bigint, "name" text)`] });
    const r = await run(['load', `pg:${schema}.src`, `pg:${schema}.copy`, '--mode', 'create', '--rename', 'label=name', '--fill', 'name=none']);
    expect(r.code, r.stderr).toBe(0);
    expect(await sql(`SELECT id::text, name FROM ${schema}.copy ORDER BY id`)).toEqual([{ id: '1', name: 'one' }, { id: '2', name: 'none' }]);
  });

  it('a ;-delimited file with decimal commas keeps its numbers through the checked path', async () => {
    writeFileSync(at('comma.csv'), 'id;amount\n1;3,14\n2; 2,50\n');
    const r = await run(['load', at('comma.csv'), `pg:${schema}.comma`, '--mode', 'create', '--trim']);
    expect(r.code, r.stderr).toBe(0);
    expect(await sql(`SELECT id, amount::text FROM ${schema}.comma ORDER BY id`)).toEqual([{ id: 1, amount: '3.14' }, { id: 2, amount: '2.50' }]);
  });
});
