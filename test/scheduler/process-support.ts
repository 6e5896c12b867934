import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TaskHistoryEntry } from '../../shared/tasks';
import { ferry } from '../support/cli';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ferry.js');

/** A `ferry scheduler` child with its output collected. */
export function startScheduler(home: string): { child: ChildProcess; out: () => string; stopped: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'scheduler'], {
    env: { ...process.env, FERRY_HOME: home, FERRY_USER_KNOWN_HOSTS: join(home, 'user_known_hosts'), CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const stopped = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, stopped };
}

export async function until<T>(what: string, f: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function history(home: string, name: string): Promise<TaskHistoryEntry[]> {
  const r = await ferry(['task', 'history', name, '--json', '--limit', '1000'], { home });
  return (JSON.parse(r.stdout) as TaskHistoryEntry[]).reverse();
}

/** A six-field cron that fires once, `inMs` from now (UTC), and not again for a year. */
export function onceSoon(inMs: number): string {
  const d = new Date(Math.ceil((Date.now() + inMs) / 1000) * 1000);
  return `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} *`;
}
