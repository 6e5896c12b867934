import pg from 'pg';
import type { PostgresInfo } from '../servers/postgres';
import type { CliResult } from './cli';

/**
 * The setup of a CLI test against the test PostgreSQL: a direct connection (to check what Ferry did with
 * its own SQL), a fresh schema for this file's tables, and a `pg` profile whose password goes in on stdin.
 */
export async function postgresForCli(p: PostgresInfo, schema: string, run: (args: string[], stdin?: string) => Promise<CliResult>): Promise<{ db: pg.Client; added: CliResult }> {
  const db = new pg.Client({ host: p.host, port: p.port, user: p.user, password: p.password, database: p.database });
  await db.connect();
  await db.query(`CREATE SCHEMA ${schema}`);
  const added = await run(['profile', 'add', 'pg', '--type', 'postgres', '--host', p.host, '--port', String(p.port), '--database', p.database, '--user', p.user, '--password-stdin'], p.password);
  return { db, added };
}
