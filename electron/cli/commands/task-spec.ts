import { Command, CommanderError } from 'commander';
import type { JobSpecInput } from '../../../shared/transfers';
import { SpecCaptured, type GlobalOptions } from '../context';
import { UsageError } from '../output';
import { databaseCommands } from './database';
import { tableCommands } from './table';
import { transferCommands } from './transfer';

export const JOB_COMMANDS = ['copy', 'move', 'sync', 'convert', 'export', 'load'] as const;

/**
 * The JobSpec `ferry COMMAND ARGS…` would run, built by that very command's own code (its flags, defaults,
 * profile and path resolution), which hands the spec over where it would have planned the job. So a task
 * saved from a command line is exactly the job that command line runs, and it is refused when that
 * command line is.
 */
export async function specFromCommand(globals: GlobalOptions, argv: string[]): Promise<JobSpecInput> {
  const [name] = argv;
  if (!name || !(JOB_COMMANDS as readonly string[]).includes(name)) {
    throw new UsageError(`after "--" give the job as a ferry command: one of ${JOB_COMMANDS.join(', ')} with its arguments (e.g. -- sync ./out partner:/in)`);
  }
  if (argv.includes('--dry-run')) throw new UsageError('a task runs its job: leave out --dry-run (see what it would do with ferry sync … --dry-run)');
  let spec: JobSpecInput | undefined;
  let failure: unknown;
  const run = (f: () => Promise<number | void>) => async () => {
    try {
      await f();
    } catch (e) {
      if (!(e instanceof SpecCaptured)) failure = e;
    }
  };
  const g = () => ({ ...globals, captureSpec: (s: JobSpecInput) => (spec = s) });
  const program = new Command('ferry').exitOverride();
  for (const c of [...transferCommands(run, g), ...tableCommands(run, g), ...databaseCommands(run, g)]) {
    // Commander's own error line would repeat ours: the UsageError below says it once.
    if (c.name() === name) program.addCommand(c.exitOverride().configureOutput({ writeErr: () => {} }));
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) throw new UsageError(`the task's job "${argv.join(' ')}": ${e.message.replace(/^error: /, '')}`);
    throw e;
  }
  if (failure) throw failure;
  if (!spec) throw new UsageError(`"${argv.join(' ')}" does not describe a job`);
  return spec;
}
