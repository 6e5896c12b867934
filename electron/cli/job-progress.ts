import { rowsProgressText } from '../../shared/rows-progress';
import type { Job, JobProgressEvent } from '../../shared/transfers';
import type { FerryCore } from '../core/app';
import { groupDigits, humanSize, safeText } from './output';

const FINAL = new Set(['done', 'failed', 'cancelled']);

const eta = (s: number | null) => (s === null ? '--:--' : `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`);

/**
 * Follows a job until it ends: a live line on a terminal, plain lines per finished file otherwise,
 * and a summary. Resolves with the final job.
 */
export async function watchJob(core: FerryCore, id: string, opts: { quiet?: boolean } = {}): Promise<Job> {
  const tty = !!process.stderr.isTTY && !opts.quiet;
  const startedAt = Date.now();
  const seen = new Map<number, string>();
  // Progress events carry file indexes; the names come from the job's file list. jobs.get reads every file
  // of the job (2,000 rows for a folder of small files), so it is read once, after subscribing: the same
  // answer also tells whether the job ended before the subscription. No progress event can come between the
  // two (they are sent from a timer, and only the microtasks of this read run in between).
  const names = new Map<number, string>();
  const final = await new Promise<Job>((resolve) => {
    const off = core.onEvent((event, payload) => {
      if (event === 'jobs.changed') {
        const j = payload as Job;
        if (j.id === id && FINAL.has(j.state)) {
          off();
          resolve(j);
        }
      } else if (event === 'jobs.progress' && !opts.quiet) {
        const p = payload as JobProgressEvent;
        const j = p.jobs.find((x) => x.id === id);
        if (tty && j) {
          const rows = rowsProgressText(j, groupDigits);
          process.stderr.write(`\r\x1b[K${rows ? `${rows}, ` : ''}${j.doneFiles} files, ${humanSize(j.doneBytes)}, ${humanSize(j.rate)}/s, ETA ${eta(j.etaSeconds)}`);
        }
        if (!tty) {
          // One write per progress event, not per file: a tick of a small-file job finishes hundreds.
          let lines = '';
          for (const f of p.files.filter((x) => x.jobId === id)) {
            if ((f.state === 'done' || f.state === 'failed') && seen.get(f.idx) !== f.state) {
              seen.set(f.idx, f.state);
              lines += `${f.state === 'done' ? 'done  ' : 'FAILED'} ${safeText(names.get(f.idx) ?? `#${f.idx}`)} (${humanSize(f.bytesDone)})\n`;
            }
          }
          if (lines) process.stderr.write(lines);
        }
      }
    });
    void core.handlers['jobs.get']({ id }).then(({ job, files }) => {
      for (const f of files) names.set(f.idx, f.relPath);
      if (FINAL.has(job.state)) {
        off();
        resolve(job);
      }
    });
  });
  if (tty) process.stderr.write('\r\x1b[K');
  if (!opts.quiet) {
    // The file list again only when there is a failure to explain.
    const files = final.failedFiles ? (await core.handlers['jobs.get']({ id })).files : [];
    // Names and the server's words in messages are escaped (safeText): a server cannot drive the terminal.
    for (const f of files.filter((x) => x.state === 'failed')) process.stderr.write(`FAILED ${safeText(f.relPath)}: ${safeText(f.error?.message ?? 'unknown error')}\n`);
    const secs = (Date.now() - startedAt) / 1000;
    process.stderr.write(
      `${final.state === 'done' && !final.failedFiles ? 'Done' : final.state === 'cancelled' ? 'Cancelled' : 'Finished with errors'}: ` +
        `${final.doneFiles} files, ${humanSize(final.doneBytes)} in ${secs.toFixed(1)} s` +
        `${secs > 0 ? ` (${humanSize(final.doneBytes / secs)}/s)` : ''}` +
        `${final.doneRows !== undefined ? `, ${groupDigits(final.doneRows)} rows` : ''}` +
        `${final.skippedFiles ? `, ${final.skippedFiles} skipped` : ''}${final.failedFiles ? `, ${final.failedFiles} FAILED` : ''}\n`,
    );
  }
  return final;
}
