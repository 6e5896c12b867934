import { spawn, execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

/** One measured run of a command: wall time as the harness saw it, and the process's peak memory. */
export interface Measured {
  seconds: number;
  /** Max resident set size (MB) of the process, from GNU time's %M (getrusage of the waited child). */
  peakMb: number;
  /** User + system CPU seconds of the process (GNU time's %U + %S): less disturbed than wall time when other work shares the cores. */
  cpuSeconds: number;
  exitCode: number;
  /** Killed at RunOptions.timeoutMs (then `seconds` is only a lower bound). */
  timedOut: boolean;
  /** The last lines of its output, for error reports. */
  tail: string;
  /** All of stdout + stderr (also kept in the log file). */
  output: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  /** Output goes here (appended), so a failed run can be read afterwards. */
  logFile: string;
  timeoutMs?: number;
}

const TIME = '/usr/bin/time';

/** GNU time is a Debian package (`time`); the bench installs it when missing, as the brief allows. */
export function ensureGnuTime(): void {
  if (existsSync(TIME)) return;
  process.stdout.write('Installing GNU time (apt package "time") to measure peak memory...\n');
  execFileSync('apt-get', ['install', '-y', '-q', 'time'], { stdio: 'inherit' });
}

/**
 * Runs `cmd args` under GNU time. The clock is the harness's own (spawn to exit), so process start-up,
 * connecting and logging in all count, as they do for a user.
 */
export async function measure(cmd: string, args: string[], opts: RunOptions): Promise<Measured> {
  const timeFile = `${opts.logFile}.time`;
  rmSync(timeFile, { force: true });
  const log = openSync(opts.logFile, 'a');
  let output = '';
  const started = performance.now();
  // detached: its own process group, so a timeout can stop the tool and anything it started.
  const child = spawn(TIME, ['-f', '%e %M %U %S', '-o', timeFile, cmd, ...args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const collect = (d: Buffer) => {
    output += d.toString();
    if (output.length > 1_000_000) output = output.slice(-500_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  child.stdin.end(opts.input ?? '');
  let timedOut = false;
  const timeout = setTimeout(() => {
    timedOut = true;
    output += `\n[bench] killed after ${opts.timeoutMs} ms\n`;
    // Kill the tool, not GNU time, so that time still reports the tool's peak memory; the whole group a bit later.
    try {
      for (const pid of readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
    } catch { /* already gone */ }
    setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } }, 3000).unref();
  }, opts.timeoutMs ?? 600_000);
  const exitCode = await new Promise<number>((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  const seconds = (performance.now() - started) / 1000;
  clearTimeout(timeout);
  writeSync(log, `$ ${cmd} ${args.join(' ')}\n${output}\n[bench] exit ${exitCode} after ${seconds.toFixed(2)} s\n\n`);
  closeSync(log);
  // time writes "Command exited with non-zero status N" before the figures when the command failed.
  const figures = existsSync(timeFile) ? readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ') : [];
  const peakKb = Number(figures[1] ?? NaN);
  return {
    seconds,
    peakMb: peakKb / 1024,
    cpuSeconds: Number(figures[2] ?? NaN) + Number(figures[3] ?? NaN),
    exitCode,
    timedOut,
    output,
    tail: output.trim().split('\n').slice(-8).join('\n'),
  };
}

/** A short command whose output is needed (set-up, versions, listings); throws with its stderr on failure. */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', env: opts.env, input: opts.input, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(err.stderr || err.stdout || err.message).toString().trim().slice(-2000)}`);
  }
}

/** measure(), failing with the command's last output lines when it exits non-zero. */
export async function measureOk(label: string, cmd: string, args: string[], opts: RunOptions): Promise<Measured> {
  const r = await measure(cmd, args, { timeoutMs: 300_000, ...opts });
  if (r.exitCode !== 0) throw new Error(`${label} failed (exit ${r.exitCode}):\n${r.tail}`);
  return r;
}
