/**
 * `npm run bench`: the transfer benchmark (issue 4). Starts the project's real test servers (OpenSSH sshd,
 * vsftpd, s3rver), makes the data set, and moves the same data through Ferry's CLI and through the reference
 * tools, interleaved, N times each. Prints medians, ratios and Ferry's peak memory, and writes
 * bench/results.md. How to run it and what each case compares: docs/benchmarks.md.
 *
 * Environment: BENCH_RUNS (default 3), BENCH_ONLY (a regular expression over case ids such as
 * "sftp-big-up", or "startup" for the CLI start-up case; a filtered run writes bench/.data/results.partial.md instead of bench/results.md).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import * as sshd from '../test/servers/sshd';
import * as ftp from '../test/servers/ftp';
import * as s3 from '../test/servers/s3';
import { ftpCases, s3Cases, sftpCases, type Case } from './cases';
import { ensureData, verifyLocal, type Manifest } from './data';
import { ensureGnuTime, measure, run } from './exec';
import { FerryCli } from './ferry';
import { measureStartup, startupMarkdown, type StartupRow } from './startup';
import { consoleLines, markdown, type CaseResult, type ToolResult } from './report';
import { ftpSite, s3Site, sftpSite, type Op, type Tool } from './sites';

const REPO = join(import.meta.dirname, '..');
const DATA = join(REPO, 'bench', '.data');
const SRC = join(DATA, 'src');
const WORK = join(DATA, 'work');
const LOGS = join(WORK, 'logs');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : null;
/** A run is stopped after this long (BENCH_TIMEOUT_S, default 60): its time is then reported as "> limit". */
const RUN_TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 60);
/** A tool whose run took longer than this is not run again in that case (keeps the bench near 15 minutes). */
const SLOW_S = 30;

const say = (s: string) => process.stdout.write(s + '\n');
const benchStart = Date.now();
/** A set-up step, with the time since the bench started (set-up is not measured, but should stay short). */
const step = (s: string) => say(`[${((Date.now() - benchStart) / 1000).toFixed(0)} s] ${s}`);

function versions(): string[] {
  const first = (shell: string) => {
    try {
      return execFileSync('sh', ['-c', `${shell} 2>&1`], { encoding: 'utf8' }).split('\n')[0].trim();
    } catch {
      return `${shell}: not available`;
    }
  };
  return [
    `${first('ssh -V')} (sftp client and sshd)`,
    first("dpkg-query -W -f 'vsftpd ${Version}' vsftpd"),
    first('lftp --version').replace(/^LFTP \| Version (\S+).*/, 'lftp $1'),
    first('rclone version'),
    's3rver 3.7.1',
  ];
}

/** The Ferry CLI prints "Done: N files, SIZE in X s": the transfer's own time, without process start-up. */
function innerSeconds(output: string): number | undefined {
  const m = /Done: .* in ([\d.]+) s/.exec(output);
  return m ? Number(m[1]) : undefined;
}

type Outcome = { seconds: number; peakMb: number; inner?: number } | { timedOut: true; peakMb: number } | { failure: string };

async function runOnce(c: Case, key: string, tool: Tool, runNo: number, manifest: Manifest): Promise<Outcome> {
  const tag = `${c.id}-${key}-${runNo}`;
  const localDst = join(WORK, 'out', tag);
  rmSync(localDst, { recursive: true, force: true });
  mkdirSync(localDst, { recursive: true });
  const remoteDst = c.direction === 'up' ? c.site.newUploadDir(tag) : '';
  const op: Op = { direction: c.direction, what: c.what, localSrc: SRC, localDst, remoteSrc: c.site.remoteSrc, remoteDst };
  const cmd = tool.command(op);
  const log = join(LOGS, `${tag}.log`);
  try {
    const m = await measure(cmd.cmd, cmd.args, { env: cmd.env, logFile: log, timeoutMs: RUN_TIMEOUT_S * 1000 });
    if (m.timedOut) return { timedOut: true, peakMb: m.peakMb };
    if (m.exitCode !== 0) return { failure: `exit ${m.exitCode} after ${m.seconds.toFixed(1)} s: ${m.tail.split('\n').slice(-3).join(' / ')} (log: ${log})` };
    // Ferry's data is checked in full every time; a reference's big file in full on its first run and by
    // size after that (hashing 1 GiB takes seconds, and the bench should stay near 15 minutes).
    const full = tool.ferry || runNo === 1 || c.what === 'small';
    const problem = c.direction === 'up' ? await c.site.verifyUpload(remoteDst, c.what, manifest, full) : await verifyLocal(localDst, c.what, manifest, full);
    if (problem) return { failure: `wrong data after ${m.seconds.toFixed(1)} s: ${problem}` };
    return { seconds: m.seconds, peakMb: m.peakMb, inner: tool.ferry ? innerSeconds(m.output) : undefined };
  } finally {
    rmSync(localDst, { recursive: true, force: true });
    if (remoteDst) {
      try { c.site.removeUploadDir(remoteDst); } catch { /* nothing arrived */ }
    }
    // Write back what the run left dirty now, not during the next tool's run.
    execFileSync('sync');
  }
}

async function runCase(c: Case, manifest: Manifest): Promise<CaseResult> {
  const tools: ToolResult[] = [
    { key: 'ferry', tool: c.ferry, runs: [] },
    ...Object.entries(c.refs).map(([key, tool]) => ({ key, tool, runs: [] })),
  ];
  const done = (t: ToolResult) => !!(t.failure || t.timedOut || t.note);
  for (let i = 0; i < RUNS; i++) {
    // A different tool goes first in each round, so no tool always runs right after the same neighbour.
    const order = tools.map((_, j) => tools[(i + j) % tools.length]);
    for (const t of order) {
      if (done(t)) continue;
      const r = await runOnce(c, t.key, t.tool, i + 1, manifest);
      if ('failure' in r) {
        t.failure = r.failure;
        say(`    ${t.tool.name}: run ${i + 1} FAILED: ${r.failure}`);
      } else if ('timedOut' in r) {
        t.timedOut = RUN_TIMEOUT_S;
        t.stoppedPeakMb = r.peakMb;
        say(`    ${t.tool.name}: run ${i + 1} stopped at the ${RUN_TIMEOUT_S} s limit (peak ${r.peakMb.toFixed(0)} MB); not run again`);
      } else {
        t.runs.push(r);
        say(`    ${t.tool.name}: run ${i + 1} ${r.seconds.toFixed(2)} s, peak ${r.peakMb.toFixed(0)} MB, data verified`);
        if (r.seconds > SLOW_S && i + 1 < RUNS) t.note = `${t.runs.length} run${t.runs.length > 1 ? 's' : ''}: over ${SLOW_S} s, not repeated`;
      }
    }
  }
  return { c, ferry: tools[0], refs: tools.slice(1), loadAvg: loadavg()[0] };
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadStart = loadavg();
  ensureGnuTime();
  // The CLI is built from the working tree: say so when it differs from the commit.
  const dirty = run('git', ['status', '--porcelain', '--', 'electron', 'shared', 'package.json'], { cwd: REPO }).trim();
  const treeState = run('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO }).trim() + (dirty ? ' plus uncommitted changes in electron/ or shared/' : '');
  step('Building the ferry CLI (npm run build:cli)...');
  run(process.execPath, [join(REPO, 'scripts', 'build-cli.mjs')], { cwd: REPO });
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(LOGS, { recursive: true });
  step('Checking the data set...');
  const manifest = ensureData(SRC, say);
  const ferry = new FerryCli(REPO, join(WORK, 'ferry-home'));

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((e) => say(`stopping a server failed: ${String(e)}`));
  };
  const onSignal = () => void stopAll().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results: CaseResult[] = [];
  let startup: StartupRow[] = [];
  if (!ONLY || ONLY.test('startup')) {
    step(`CLI start-up: node -e 0, ferry --version, ferry ls of a local folder, ${RUNS * 3} runs each`);
    startup = await measureStartup(ferry, RUNS * 3, SRC, LOGS);
    say(startupMarkdown(startup));
  }
  try {
    const ctx = { dataDir: SRC, workDir: WORK, ferry };
    // Each protocol's server and data only when one of its cases is selected (BENCH_ONLY).
    const wanted = (proto: string) => !ONLY || ['big', 'small'].some((w) => ['up', 'down'].some((d) => ['', '-t16'].some((x) => ONLY.test(`${proto}-${w}-${d}${x}`))));
    const cases: Case[] = [];
    if (wanted('sftp')) {
      step('Starting sshd, placing the source data in its user\'s home, creating the Ferry profile...');
      const srv = await sshd.start();
      stops.push(srv.stop, async () => rmSync(join(srv.info.home, 'ferry-bench'), { recursive: true, force: true }));
      cases.push(...sftpCases(sftpSite(srv.info, ctx)));
    }
    if (wanted('ftp')) {
      step('Starting vsftpd, placing the source data in its root, creating the Ferry profile...');
      const srv = await ftp.start();
      stops.push(srv.stop);
      cases.push(...ftpCases(ftpSite(srv.info, ctx)));
    }
    if (wanted('s3')) {
      step('Starting s3rver, uploading the download sources with rclone (16 transfers), creating the Ferry profile...');
      const srv = await s3.start();
      stops.push(srv.stop);
      cases.push(...s3Cases(s3Site(srv.info, ctx)));
    }
    const selected = cases.filter((x) => !ONLY || ONLY.test(x.id));
    step(`${selected.length} cases, ${RUNS} runs each; load average ${loadStart.map((x) => x.toFixed(1)).join(' ')}\n`);
    for (const c of selected) {
      step(`${c.title} [${c.id}]`);
      const r = await runCase(c, manifest);
      results.push(r);
      say(consoleLines(r).join('\n') + '\n');
    }
  } finally {
    await stopAll();
  }

  const caseMd = markdown(results, {
    when: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    host: hostname(),
    cpu: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB RAM`,
    node: process.version,
    tools: versions(),
    commit: treeState,
    runs: RUNS,
    loadStart,
    loadEnd: loadavg(),
    minutes: (Date.now() - started) / 60000,
  });
  const md = startup.length ? caseMd.replace('\n## Ferry peak memory', `\n${startupMarkdown(startup)}\n## Ferry peak memory`) : caseMd;
  const out = ONLY ? join(DATA, 'results.partial.md') : join(REPO, 'bench', 'results.md');
  writeFileSync(out, md);
  say(md.slice(md.indexOf('| Case |'), md.indexOf('## Ferry peak memory')));
  say(`Written to ${out}`);
}

await main();
