import { Command, CommanderError } from 'commander';
import { FERRY_VERSION } from '../core/version';
import { fileCommands } from './commands/files';
import { profileCommand } from './commands/profile';
import { serveCommand } from './commands/serve';
import { tableCommands } from './commands/table';
import { databaseCommands } from './commands/database';
import { transferCommands } from './commands/transfer';
import { trustCommand } from './commands/trust';
import { schedulerCommand, taskCommand } from './commands/task';
import type { GlobalOptions } from './context';
import { EXIT_USAGE, exitCodeFor, printError } from './output';

/**
 * `ferry`: the same core as the desktop app. Exit codes: 0 ok, 1 failure, 2 usage.
 * Secrets never come from argv: --*-stdin, a terminal prompt, FERRY_SECRET_*, or the keychain.
 */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('ferry')
    .version(FERRY_VERSION)
    .description('Move files between this computer, SFTP, FTP/FTPS, S3, Azure Blob and Google Cloud Storage.')
    .option('--trust-host-key <fingerprint>', 'accept this SSH host key or TLS certificate (SHA256:...) if it is not known yet, and pin it')
    .showHelpAfterError()
    .exitOverride();
  const globals = () => program.opts<GlobalOptions>();
  const run = (f: (g: GlobalOptions) => Promise<number | void>) => async () => {
    try {
      exitCode = (await f(globals())) ?? 0;
    } catch (e) {
      printError(e);
      exitCode = exitCodeFor(e);
    }
  };
  program.addCommand(profileCommand(run, globals));
  for (const c of fileCommands(run, globals)) program.addCommand(c);
  for (const c of transferCommands(run, globals)) program.addCommand(c);
  for (const c of tableCommands(run, globals)) program.addCommand(c);
  for (const c of databaseCommands(run, globals)) program.addCommand(c);
  program.addCommand(trustCommand(run, globals));
  program.addCommand(taskCommand(run, globals));
  program.addCommand(schedulerCommand(globals));
  program.addCommand(serveCommand(globals));
  // Usage errors anywhere (also in nested commands such as `profile add`) exit 2, never commander's 1.
  const override = (c: Command): void => c.commands.forEach((sub) => (sub.exitOverride(), override(sub)));
  override(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    // Thrown outside run() (serve's flags are checked in its own action): the same codes as everywhere.
    printError(e);
    return exitCodeFor(e);
  }
  return exitCode;
}
