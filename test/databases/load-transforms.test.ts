import { describe, expect, it } from 'vitest';
import { planColumns } from '../../electron/core/databases/load-plan';
import { convertValue, parseTypeName, transformRow, type LoadColumn } from '../../electron/core/databases/load-transforms';
import type { DbColumn } from '../../electron/core/databases/types';
import type { LogicalType } from '../../electron/core/table/types';

/**
 * The load layer's per-value rules, without a database: every conversion is exact or refused (never
 * rounded), the transforms run in LoadSpecSchema's order, and column problems are all found at once.
 */
const text: LogicalType = { kind: 'string' };
const col = (over: Partial<LoadColumn>): LoadColumn => ({ source: 0, sourceType: text, target: 'c', type: text, notNull: false, maxLength: null, fill: null, ...over });
const checks = { checkEncoding: true };

describe('load transforms', () => {
  it('converts exactly or refuses: decimals keep their digits, int64 fits int32 or not, timestamps change unit', () => {
    expect(convertValue('12.5', text, { kind: 'decimal', precision: 10, scale: 2 })).toBe(1250n);
    expect(() => convertValue('12.345', text, { kind: 'decimal', precision: 10, scale: 2 })).toThrow(/is not a decimal\(10,2\)/);
    expect(convertValue(2147483647n, { kind: 'int64' }, { kind: 'int32' })).toBe(2147483647);
    expect(() => convertValue(2147483648n, { kind: 'int64' }, { kind: 'int32' })).toThrow(/is not a int32/);
    expect(convertValue(1_500_000n, { kind: 'timestamp', unit: 'us', tz: 'UTC' }, { kind: 'timestamp', unit: 'ms', tz: 'UTC' })).toBe(1500n);
    expect(() => convertValue('2026-02-30', text, { kind: 'date' })).toThrow(/is not a date/);
    expect(convertValue(19000, { kind: 'date' }, text)).toBe('2022-01-08');
    expect(convertValue('\\x0aff', text, { kind: 'binary' })).toEqual(Buffer.from([0x0a, 0xff]));
  });

  it('reads the type names --cast takes, and refuses others', () => {
    expect(parseTypeName('decimal(18,2)')).toEqual({ kind: 'decimal', precision: 18, scale: 2 });
    expect(parseTypeName('timestamp[us, UTC]')).toEqual({ kind: 'timestamp', unit: 'us', tz: 'UTC' });
    expect(parseTypeName('timestamptz')).toEqual({ kind: 'timestamp', unit: 'us', tz: 'UTC' });
    expect(parseTypeName('BIGINT')).toEqual({ kind: 'int64' });
    expect(parseTypeName('decimal(40,2)')).toBeNull();
    expect(parseTypeName('varchar')).toBeNull();
  });

  it('null-as before trim, then the type, then fill; NOT NULL, length and undecodable bytes make a row bad', () => {
    const int: LogicalType = { kind: 'int32' };
    expect(transformRow([' NA '], [col({ type: int })], { ...checks, nullAs: 'NA', trim: true })).toEqual({ column: 'c', reason: '"NA" is not a int32' });
    expect(transformRow(['NA'], [col({ type: int, fill: 0 })], { ...checks, nullAs: 'NA' })).toEqual([0]);
    expect(transformRow([null], [col({ notNull: true })], checks)).toEqual({ column: 'c', reason: 'NULL in a column that is NOT NULL' });
    expect(transformRow(['żółw'], [col({ maxLength: 4 })], checks)).toEqual(['żółw']);
    expect(transformRow(['żółwie'], [col({ maxLength: 4 })], checks)).toEqual({ column: 'c', reason: '6 characters where the column holds at most 4' });
    expect(transformRow(['a\uFFFDb'], [col({})], checks)).toEqual({ column: 'c', reason: 'bytes that are not valid UTF-8' });
  });

  it('reports every column problem at once, before any row', () => {
    const table: DbColumn[] = [
      { name: 'Code', type: text, dbType: 'text', nullable: true, key: false },
      { name: 'code', type: text, dbType: 'text', nullable: true, key: false },
      { name: 'qty', type: { kind: 'int32' }, dbType: 'integer', nullable: true, key: false },
    ];
    const plan = planColumns({
      source: [{ name: 'CODE', type: text }, { name: 'Qty', type: text }, { name: 'colour', type: text }],
      spec: { mode: 'append', maxErrors: 0, cast: { size: 'int64' }, fill: { qty: 'many' } },
      existing: table,
      ddlType: () => 'text',
      table: 'public.t',
    });
    expect(plan.problems).toEqual([
      'The column "CODE" matches "Code" and "code" of public.t: --rename it to one of them',
      'public.t has no column "colour" (its columns: Code, code, qty): leave it out with --columns, or map it with --rename colour=COLUMN',
      '--cast "size": the load has no such column (its columns: qty)',
      '--fill qty=many: "many" is not a int32',
    ]);
    expect(plan.mapping.map((m) => [m.source, m.target, m.status])).toEqual([
      ['CODE', null, 'extra'],
      ['Qty', 'qty', 'load'],
      ['colour', null, 'extra'],
      [null, 'Code', 'missing'],
      [null, 'code', 'missing'],
    ]);
  });
});
