import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { waitForPort } from './ports';

/**
 * Waits until a server started as a detached child (its own process group) listens on `port`, and returns
 * how to stop it: SIGTERM to the group, SIGKILL after 3 s, then remove its scratch folder. If it exits
 * before listening, the error carries its stderr.
 */
export async function supervise(child: ChildProcess, opts: { label: string; port: number; scratch: string }): Promise<() => Promise<void>> {
  let stderr = '';
  child.stderr?.on('data', (d) => { stderr += String(d); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
      if (!gone) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } await exited; }
    }
    rmSync(opts.scratch, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      waitForPort(opts.port, 20000),
      exited.then(() => { throw new Error(`${opts.label} exited before listening: ${stderr.trim()}`); }),
    ]);
  } catch (e) {
    await stop();
    throw e;
  }
  return stop;
}
