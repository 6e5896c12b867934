import type { HostKeyDetail } from '../../shared/errors';
import type { JobSpec, JobSpecInput, Plan } from '../../shared/transfers';
import { FerryCore, type CoreOptions } from '../core/app';
import { isFerryError } from '../core/errors';
import { secretEnvName } from '../../shared/endpoints';
import { safeText } from './output';
import { interactive, promptHidden, promptLine } from './prompt';

export interface GlobalOptions {
  trustHostKey?: string;
  /**
   * `ferry task add … -- COMMAND ARGS`: the job command builds its JobSpec as usual, and it is handed here
   * instead of being planned and run (see commands/task-spec.ts).
   */
  captureSpec?: (spec: JobSpecInput) => void;
}

/** Thrown where a captured job command would have planned its job: the spec is taken, nothing runs. */
export class SpecCaptured extends Error {}

/** One core for one CLI run. Secrets missing from the keychain are asked for on a terminal, never taken from argv. */
export function openCore(opts: GlobalOptions, extra: Pick<CoreOptions, 'startQueue' | 'runScheduler' | 'scheduler'> = {}): FerryCore {
  const core = new FerryCore({
    ...extra,
    // A one-shot command exits once its core is closed; `ferry serve` and `ferry scheduler` run until stopped.
    exitAfterClose: !extra.runScheduler,
    acceptFingerprint: opts.trustHostKey,
    // Capturing a spec runs nothing, so it resumes nothing either.
    startQueue: opts.captureSpec ? false : extra.startQueue,
    // Not in the keychain (or no keychain): the environment (FERRY_SECRET_PASSWORD…), then a terminal prompt.
    promptSecret: async (profile, name, label) => {
      const fromEnv = process.env[secretEnvName(name)];
      if (fromEnv !== undefined) return fromEnv;
      return interactive() ? promptHidden(`${label} for ${profile}: `) : undefined;
    },
  });
  const capture = opts.captureSpec;
  if (capture) {
    core.handlers['jobs.plan'] = async (spec) => {
      capture(spec);
      throw new SpecCaptured();
    };
  }
  return core;
}

/**
 * Runs `f`; on an unknown host key at a terminal, shows the fingerprint and asks, then pins and runs again.
 * Not at a terminal the error stands (exit 1 with the fingerprint to pass to --trust-host-key).
 */
export async function withHostKeyPrompt<T>(core: FerryCore, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (!isFerryError(e, 'HOST_KEY_UNKNOWN') || !interactive()) throw e;
    const d = e.detail as unknown as HostKeyDetail;
    process.stderr.write(safeText(`The ${d.kind === 'ssh' ? 'host key' : 'TLS certificate'} of ${d.host}:${d.port} is not known:`) + `\n  ${safeText(`${d.keyType} ${d.fingerprint}`)}\n`);
    const answer = await promptLine('Trust it and connect? (yes/no) ');
    if (!/^y(es)?$/i.test(answer.trim())) throw e;
    core.trust.pin(d);
    return f();
  }
}

/**
 * Plans a job the CLI built. The engine checks the spec and fills its defaults (transfer/job-spec.ts); the
 * handler is typed with the checked spec because over IPC and HTTP the API's dispatch checks it first.
 */
export function planJob(core: FerryCore, spec: JobSpecInput): Promise<Plan> {
  return core.handlers['jobs.plan'](spec as JobSpec);
}
