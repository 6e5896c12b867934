import { describe, expect, it } from 'vitest';
import type { Entry } from '../../shared/connectors';
import { LoadPlanRequestSchema } from '../../shared/table';
import { JobSpecSchema } from '../../shared/transfers';
import { exportProblems, exportRequest, nameForFormat, newExportForm } from '../../renderer/src/features/databases/export-model';
import { formProblems, loadPlanRequest, loadRequest, loadSpec, newLoadForm, withSourceColumns, type LoadForm } from '../../renderer/src/features/databases/load-model';
import { kindOf, sortEntries } from '../../renderer/src/features/browser/sort';
import { formatRowEstimate } from '../../renderer/src/features/databases/row-estimate';
import { routeTransfer } from '../../renderer/src/features/databases/route-transfer';
import { tableAddress, tableNameFromFile } from '../../renderer/src/features/databases/table-address';

/** The export and mapping dialogs' logic (renderer/src/features/databases): what job each one queues. */
describe('the export dialog', () => {
  const target = { source: { endpoint: 'pg', table: '/public/orders' }, destination: { endpoint: 'sftp', folder: '/in' } };

  it('starts as TABLE.parquet with snappy and the whole table as the query to start from', () => {
    expect(newExportForm('/public/orders')).toEqual({ name: 'orders.parquet', format: 'parquet', compression: 'snappy', useQuery: false, query: 'SELECT * FROM "public"."orders"' });
    expect(newExportForm('/we"ird/t').query).toBe('SELECT * FROM "we""ird"."t"');
    expect(nameForFormat('orders.parquet', 'csv')).toBe('orders.csv');
    expect(nameForFormat('orders', 'ndjson')).toBe('orders.ndjson');
  });

  it('queues the convert job `ferry export` builds: the table, or the query, into the folder', () => {
    const whole = exportRequest(target, newExportForm('/public/orders'));
    expect(JobSpecSchema.parse(whole)).toMatchObject({
      kind: 'convert',
      source: { endpoint: 'pg', paths: ['/public/orders'] },
      destination: { endpoint: 'sftp', path: '/in' },
      convert: { name: 'orders.parquet', write: { format: 'parquet', compression: 'snappy' } },
    });
    expect(whole.convert).not.toHaveProperty('query');
    const query = exportRequest(target, { ...newExportForm('/public/orders'), name: 'big.csv', format: 'csv', useQuery: true, query: ' SELECT id FROM orders WHERE amount > 10 ' });
    expect(query.convert).toEqual({ name: 'big.csv', query: 'SELECT id FROM orders WHERE amount > 10', write: { format: 'csv' } });
  });

  it('names what keeps it from starting', () => {
    expect(exportProblems(newExportForm('/public/orders'))).toEqual([]);
    expect(exportProblems({ ...newExportForm('/public/orders'), name: ' ' })).toEqual(['Name the file to write.']);
    expect(exportProblems({ ...newExportForm('/public/orders'), name: '../x.csv' })[0]).toMatch(/not a file name/);
    expect(exportProblems({ ...newExportForm('/public/orders'), useQuery: true, query: '' })).toEqual(['Write the query, or export the whole table.']);
  });
});

describe('the mapping dialog', () => {
  const source = { endpoint: 'sftp', path: '/in/Orders 2026-11.csv' };
  const base = (): LoadForm => ({
    ...newLoadForm(source, { schema: 'public', table: 'orders', exists: false }, { endpoint: 'sftp', folder: '/in' }),
    columns: withSourceColumns([], [{ name: 'id', type: 'int64' }, { name: 'Amount', type: 'decimal(10,2)' }, { name: 'note', type: 'string' }]),
  });

  it('a drop on a schema names a new table after the file; on a table it appends', () => {
    expect(tableNameFromFile('Orders 2026-11.csv')).toBe('orders_2026_11');
    expect(tableNameFromFile('2026.csv.gz')).toBe('t_2026');
    expect(tableAddress('/public/orders')).toEqual({ schema: 'public', table: 'orders' });
    expect(tableAddress('/')).toEqual({ schema: null, table: null });
    expect(base().mode).toBe('create');
    expect(newLoadForm(source, { schema: 'public', table: 'orders', exists: true }, { endpoint: 'sftp', folder: '/in' }).mode).toBe('append');
    expect(base().rejects).toEqual({ endpoint: 'sftp', path: '/in/Orders 2026-11.rejects.csv' });
    expect(newLoadForm({ endpoint: 'pg2', path: '/s/t' }, { schema: 'public', table: 't', exists: false }, { endpoint: 'local', folder: '/home/ana' }).rejects).toEqual({ endpoint: 'local', path: '/home/ana/t.rejects.csv' });
  });

  it('with nothing changed, the LoadSpec is the mode alone', () => {
    expect(loadSpec(base())).toEqual({ mode: 'create' });
  });

  it('choose, rename, cast, fill, null text, trim and the error policy become the LoadSpec', () => {
    const f = base();
    f.columns[0] = { ...f.columns[0], cast: 'int32' };
    f.columns[1] = { ...f.columns[1], target: 'amount', fill: '0' };
    f.columns[2] = { ...f.columns[2], include: false };
    const spec = loadSpec({ ...f, mode: 'upsert', key: ['id'], nullAs: 'NA', trim: true, policy: 'max-errors', maxErrors: 5 });
    expect(spec).toEqual({
      mode: 'upsert',
      key: ['id'],
      columns: ['id', 'Amount'],
      rename: { Amount: 'amount' },
      cast: { id: 'int32' },
      fill: { amount: '0' },
      nullAs: 'NA',
      trim: true,
      maxErrors: 5,
      rejects: { endpoint: 'sftp', path: '/in/Orders 2026-11.rejects.csv' },
    });
    // The key applies to upsert only.
    expect(loadSpec({ ...f, mode: 'append', key: ['id'] })).not.toHaveProperty('key');
  });

  it('keeps the edits of columns that are still there when the source columns are read again', () => {
    const f = base();
    f.columns[1] = { ...f.columns[1], target: 'amount' };
    const again = withSourceColumns(f.columns, [{ name: 'Amount', type: 'float64' }, { name: 'extra', type: 'string' }]);
    expect(again).toEqual([
      { source: 'Amount', inferred: 'float64', include: true, target: 'amount', cast: '', fill: '' },
      { source: 'extra', inferred: 'string', include: true, target: 'extra', cast: '', fill: '' },
    ]);
  });

  it('the dry run and the job carry the same LoadSpec, as `ferry load` builds them', () => {
    const f = { ...base(), policy: 'max-errors' as const, maxErrors: 3 };
    const plan = LoadPlanRequestSchema.parse(loadPlanRequest(source, 'pg', f));
    expect(plan).toMatchObject({ source: { endpoint: 'sftp', path: source.path }, destination: { endpoint: 'pg', path: '/public/orders' }, limit: 20 });
    const job = JobSpecSchema.parse(loadRequest(source, 'pg', f));
    expect(job).toMatchObject({ kind: 'convert', source: { endpoint: 'sftp', paths: [source.path] }, destination: { endpoint: 'pg', path: '/public' }, conflict: 'overwrite' });
    expect(job.convert).toMatchObject({ name: 'orders' });
    expect(job.convert!.load).toEqual(plan.load);
  });

  it('names what the form gets wrong before asking the core', () => {
    expect(formProblems(base())).toEqual([]);
    const f = base();
    f.columns[2] = { ...f.columns[2], target: 'ID' };
    expect(formProblems(f)).toEqual(['Columns "id" and "note" would both load into "ID".']);
    expect(formProblems({ ...base(), table: ' ' })).toEqual(['Name the table to load into.']);
    expect(formProblems({ ...base(), columns: base().columns.map((c) => ({ ...c, include: false })) })).toEqual(['Keep at least one column.']);
    expect(formProblems({ ...base(), policy: 'max-errors', maxErrors: 0, rejects: { endpoint: 'sftp', path: '' } })).toEqual([
      'Allow at least 1 rejected row, or choose all-or-nothing.',
      'Name the file the rejected rows go to.',
    ]);
  });
});

describe('what a drop or a copy between panes means', () => {
  const files = { endpoint: 'sftp', label: 'Partner SFTP', database: false };
  const local = { endpoint: 'local', label: 'This computer', database: false };
  const pgSide = { endpoint: 'pg', label: 'Warehouse', database: true };
  const other = { endpoint: 'pg2', label: 'Archive', database: true };

  it('files between file endpoints are copied as ever', () => {
    expect(routeTransfer(local, files, ['/a.csv'], '/in')).toEqual({ kind: 'files' });
  });

  it('a table onto a folder is an export of that table (one at a time); a schema is refused in words', () => {
    expect(routeTransfer(pgSide, files, ['/public/orders', '/public/items'], '/in')).toEqual({ kind: 'export', table: '/public/orders', folder: '/in', others: 1 });
    expect(routeTransfer(pgSide, files, ['/public'], '/in')).toEqual({ kind: 'refused', message: 'Drag a table of Warehouse (not a schema) onto a folder to export it.' });
  });

  it('a file onto a schema loads into a new table named after it; onto a table, into that table', () => {
    expect(routeTransfer(local, pgSide, ['/home/ana/Orders.csv'], '/sales')).toEqual({
      kind: 'load',
      path: '/home/ana/Orders.csv',
      target: { schema: 'sales', table: 'orders', exists: false },
      others: 0,
    });
    expect(routeTransfer(local, pgSide, ['/home/ana/x.csv'], '/sales/orders')).toMatchObject({ kind: 'load', target: { schema: 'sales', table: 'orders', exists: true } });
    // Dropped on the list of schemas: the dialog asks the database for its default schema.
    expect(routeTransfer(local, pgSide, ['/x.csv'], '/')).toMatchObject({ kind: 'load', target: { schema: null, table: 'x', exists: false } });
  });

  it('a table of one database onto another is a load of that table; a schema is refused', () => {
    expect(routeTransfer(other, pgSide, ['/old/orders'], '/public')).toMatchObject({ kind: 'load', path: '/old/orders', target: { schema: 'public', table: 'orders' } });
    expect(routeTransfer(other, pgSide, ['/old'], '/public').kind).toBe('refused');
  });
});

describe("a database's tables in a pane", () => {
  const table = (name: string, kind: 'table' | 'view', rowEstimate: number | null): Entry => ({ name, path: `/public/${name}`, type: 'file', size: 8192, modified: null, table: { kind, rowEstimate } });

  it('show Table or View as their kind, the row estimate in words, and sort by the estimate in the Rows column', () => {
    expect(kindOf(table('orders', 'table', 5))).toBe('Table');
    expect(kindOf(table('recent', 'view', null))).toBe('View');
    expect([formatRowEstimate(1234), formatRowEstimate(1), formatRowEstimate(null)]).toEqual([`~${(1234).toLocaleString()} rows`, '~1 row', 'rows unknown']);
    const sorted = sortEntries([table('a', 'table', 500), table('b', 'view', null), table('c', 'table', 20)], { key: 'modified', desc: true });
    expect(sorted.map((e) => e.name)).toEqual(['a', 'c', 'b']);
  });
});
