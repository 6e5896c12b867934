import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * The process that runs a job: its host, pid and a start token, so that a pid the system has since given
 * to another process is not taken for the owner. On Linux the token is the process's start time in clock
 * ticks since boot (/proc/PID/stat), which another process can read back; elsewhere a random id, and the
 * pid check alone (plus the heartbeat) decides.
 */
export interface ProcessOwner {
  host: string;
  pid: number;
  start: string;
}

/** Field 22 of /proc/PID/stat (the start time); the command name before it may hold spaces and parentheses. */
function procStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

export const THIS_PROCESS: ProcessOwner = { host: hostname(), pid: process.pid, start: procStartTime(process.pid) ?? randomUUID() };
/** As stored in the job row; compared as text. */
export const THIS_OWNER = JSON.stringify(THIS_PROCESS);

/** Whether a process with this pid exists on this host. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the owner recorded in a job row is gone: none recorded, a heartbeat older than `staleMs`, or (on
 * this host) a pid that is dead or now belongs to another process. Only then may another process run the job.
 */
export function ownerGone(owner: string | null, heartbeatAt: number | null, staleMs: number, now = Date.now()): boolean {
  if (!owner) return true;
  if (owner === THIS_OWNER) return false;
  if (heartbeatAt === null || now - heartbeatAt > staleMs) return true;
  let o: ProcessOwner;
  try {
    o = JSON.parse(owner) as ProcessOwner;
  } catch {
    return true;
  }
  if (o.host !== THIS_PROCESS.host) return false;
  if (!pidAlive(o.pid)) return true;
  const start = procStartTime(o.pid);
  return start !== null && /^\d+$/.test(o.start) && start !== o.start;
}

/** "pid 1234 on host", for messages. */
export function describeOwner(owner: string | null): string {
  try {
    const o = JSON.parse(owner ?? '') as ProcessOwner;
    return `pid ${o.pid} on ${o.host}`;
  } catch {
    return 'another process';
  }
}
