import { Command } from 'commander';
import { openCore, type GlobalOptions } from '../context';
import { printJson, table, UsageError } from '../output';

type Run = (f: () => Promise<number | void>) => () => Promise<void>;

export function trustCommand(run: Run, globals: () => GlobalOptions): Command {
  const cmd = new Command('trust').description('pinned SSH host keys and TLS certificates');
  cmd
    .command('list')
    .option('--json', 'machine-readable output')
    .action((flags: { json?: boolean }) =>
      run(async () => {
        const core = openCore(globals());
        try {
          const rows = core.trust.list();
          if (flags.json) return printJson(rows);
          process.stdout.write(table([['KIND', 'HOST', 'KEY', 'FINGERPRINT'], ...rows.map((r) => [r.kind, `${r.host}:${r.port}`, r.keyType, r.fingerprint])]) + '\n');
        } finally {
          await core.close();
        }
      })(),
    );
  cmd
    .command('rm <hostport>')
    .option('--tls', 'a TLS certificate (FTPS) rather than an SSH host key')
    .description('forget a pinned key (HOST:PORT), e.g. after a server really changed it')
    .action((hostport: string, flags: { tls?: boolean }) =>
      run(async () => {
        const m = /^(.+):(\d+)$/.exec(hostport);
        if (!m) throw new UsageError('expected HOST:PORT');
        const core = openCore(globals());
        try {
          core.trust.remove(flags.tls ? 'tls' : 'ssh', m[1], Number(m[2]));
        } finally {
          await core.close();
        }
      })(),
    );
  return cmd;
}
