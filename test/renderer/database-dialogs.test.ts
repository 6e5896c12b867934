import { describe, expect, it } from 'vitest';
import { LoadPlanRequestSchema } from '../../shared/table';
import { JobSpecSchema } from '../../shared/transfers';
import { exportProblems, exportRequest, nameForFormat, newExportForm } from '../../renderer/src/features/databases/export-model';
import { formProblems, loadPlanRequest, loadRequest, loadSpec, newLoadForm, withSourceColumns, type LoadForm } from '../../renderer/src/features/databases/load-model';
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
