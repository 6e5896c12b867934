import { DuckDBInstance } from '@duckdb/node-api';

/**
 * One DuckDB instance per database file in this process, shared by its connections. DuckDB lets only one
 * process (and one instance) open a file for writing, so the pool's connectors each take a connection
 * from the same instance; the instance (and its lock on the file) goes when the last one is released,
 * as idle connectors are closed.
 */
const open = new Map<string, { instance: Promise<DuckDBInstance>; refs: number }>();

export async function acquireInstance(file: string): Promise<DuckDBInstance> {
  let entry = open.get(file);
  if (!entry) {
    entry = { instance: DuckDBInstance.create(file), refs: 0 };
    open.set(file, entry);
  }
  entry.refs++;
  try {
    return await entry.instance;
  } catch (e) {
    await releaseInstance(file);
    throw e;
  }
}

export async function releaseInstance(file: string): Promise<void> {
  const entry = open.get(file);
  if (!entry || --entry.refs > 0) return;
  open.delete(file);
  await entry.instance.then((i) => i.closeSync()).catch(() => {});
}
