import type { z } from 'zod';
import { normalizePath } from '../../../shared/paths';
import type { LoadPlan, LoadPlanRequestSchema } from '../../../shared/table';
import type { EndpointProvider, Lease } from '../endpoints';
import { FerryError } from '../errors';
import { connectorByteSource } from '../table/byte-source';
import { openTable } from '../table/formats';
import type { TableWarning, Value } from '../table/types';
import { rowToJson, typeName } from '../table/values';
import { planColumns, targetSchema } from './load-plan';
import { describeOrNull, openChecked, type LoadSource } from './load-run';

type LoadPlanRequest = z.output<typeof LoadPlanRequestSchema>;

/**
 * `table.loadPlan` (`ferry load --dry-run`, the app's mapping dialog): the load's column plan, the statements
 * the store would run (its loadStatements, which only look), and the first rows transformed and checked as
 * they would be loaded. Reads the source's first rows and the table's description; changes nothing.
 */
export async function planLoad(endpoints: EndpointProvider, req: LoadPlanRequest, signal?: AbortSignal): Promise<LoadPlan> {
  const leases: Lease[] = [];
  const lease = async (endpoint: string) => {
    const l = await endpoints.acquire(endpoint, signal);
    leases.push(l);
    return l.connector;
  };
  try {
    const dstPath = normalizePath(req.destination.path);
    const store = (await lease(req.destination.endpoint)).tables;
    if (!store) throw new FerryError('INVALID_INPUT', `${endpoints.label(req.destination.endpoint)} is not a database: a load goes into a table`);
    const source = await loadSource(endpoints, req, lease, signal);
    const typed = await source.open({});
    const existing = await describeOrNull(store, dstPath);
    const table = dstPath.split('/').filter(Boolean).join('.');
    const plan = planColumns({ source: typed.schema.columns, spec: req.load, existing, ddlType: store.ddlType, table });
    const problems = [...plan.problems];
    const schema = targetSchema(plan);
    let ddl: string[] = [];
    try {
      ddl = await store.loadStatements(dstPath, schema, { mode: req.load.mode, ...(plan.key ? { key: plan.key } : {}) });
    } catch (e) {
      if (!(e instanceof FerryError) || e.code === 'INTERNAL') throw e;
      problems.push(e.message);
    }
    const rows: unknown[][] = [];
    const warnings: TableWarning[] = [];
    if (!plan.problems.length && req.limit > 0) {
      const checked = await openChecked(source, typed);
      for await (const batch of checked.rows(plan, req.load, signal, req.limit)) {
        for (const r of batch.rows) rows.push(rowToJson(r as Value[], schema.columns));
        for (const b of batch.bad) {
          warnings.push({ code: 'OTHER', message: `${checked.where(b)}: ${b.reason}: this row would be ${req.load.maxErrors ? 'rejected' : 'refused, and nothing loaded'}`, line: b.origin, ...(b.column ? { column: b.column } : {}) });
        }
      }
      warnings.push(...checked.warnings.filter((w) => !warnings.some((x) => x.line === w.line && w.line !== undefined)));
    }
    return {
      exists: existing !== null,
      mapping: plan.mapping,
      ddl,
      columns: schema.columns.map((c) => ({ name: c.name, type: typeName(c.type) })),
      rows,
      problems,
      warnings: [...typed.warnings.filter((w) => !warnings.some((x) => x.message === w.message)), ...warnings],
    };
  } finally {
    for (const l of leases) l.release();
  }
}

/** The source as the load would open it: a database's table or query, else a file in its format. */
async function loadSource(endpoints: EndpointProvider, req: LoadPlanRequest, lease: (endpoint: string) => Promise<Lease['connector']>, signal?: AbortSignal): Promise<LoadSource> {
  const { endpoint, path, query } = req.source;
  const label = `${endpoints.label(endpoint)}:${path}`;
  if (endpoints.isDatabase?.(endpoint)) {
    const store = (await lease(endpoint)).tables!;
    return { label, open: () => store.read(query ? { query } : { table: normalizePath(path) }, { signal }) };
  }
  if (query) throw new FerryError('INVALID_INPUT', `${label} is not a database: a query needs a database source`);
  const bytes = await connectorByteSource(endpoints, endpoint, normalizePath(path), signal);
  return { label, open: (o) => openTable(bytes, { ...req.read, ...o, signal }) };
}
