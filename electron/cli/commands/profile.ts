import { Command } from 'commander';
import type { ErrorData } from '../../../shared/errors';
import { FerryError } from '../../core/errors';
import { isSecretOption, optionApplies } from '../../core/profiles/options';
import { connectorInfo, MANIFESTS, manifestFor } from '../../core/connectors/manifest';
import { importSshConfigProfiles } from '../../core/profiles/ssh-config-import';
import { openCore, withHostKeyPrompt, type GlobalOptions } from '../context';
import { addOptionFlags, optionsFromFlags } from '../option-flags';
import { EXIT_FAILURE, printError, printJson, safeText, table } from '../output';
import { interactive, promptHidden } from '../prompt';
import type { Profile } from '../../../shared/profiles';
import type { OptionSpec } from '../../../shared/connectors';

type Run = (f: (g: GlobalOptions) => Promise<number | void>) => () => Promise<void>;

export function profileCommand(run: Run, globals: () => GlobalOptions): Command {
  const cmd = new Command('profile').description('saved connection profiles (secrets live in the OS keychain)');
  const infos = MANIFESTS.map(connectorInfo);

  const add = cmd
    .command('add <name>')
    .description('save a connection profile; options come from the connector (see docs/connectors.md)')
    .requiredOption('--type <type>', `connector type: ${infos.filter((i) => i.type !== 'local').map((i) => i.type).join(', ')}`);
  addOptionFlags(add, infos);
  add.action((name: string, flags: Record<string, unknown>) =>
    run(async () => {
      const core = openCore(globals());
      try {
        const info = connectorInfo(manifestFor(String(flags.type)));
        const { options, secrets } = await optionsFromFlags(info, flags, infos);
        await askMissingSecrets(info.options, options, secrets);
        const p = await core.profiles.create({ name, type: info.type, options, secrets });
        if (typeof options.url === 'string' && /^\w+:\/\/[^/@]*:[^/@]*@/.test(options.url)) {
          process.stderr.write('The password in --url went to the keychain, not into the profile. A command line shows in ps and shell history: next time leave it out of the URL and use --password-stdin.\n');
        }
        const where = (await core.vault.status()).available ? 'in the keychain' : 'in memory for this run only (no keychain)';
        process.stderr.write(`Saved profile "${p.name}" (${p.type})${p.secretsSet.length ? `; secrets ${where}` : ''}.\n`);
      } finally {
        await core.close();
      }
    })(),
  );

  cmd
    .command('list')
    .description('list profiles')
    .option('--json', 'machine-readable output')
    .action((flags: { json?: boolean }) =>
      run(async () => {
        const core = openCore(globals());
        try {
          const list = core.profiles.list();
          if (flags.json) return printJson(list.map(publicProfile));
          if (!list.length) return void process.stdout.write('No profiles yet. Add one: ferry profile add NAME --type sftp --host H --user U --password-stdin\n');
          process.stdout.write(table([['NAME', 'TYPE', 'WHERE'], ...list.map((p) => [p.name, p.type, where(p)])]) + '\n');
        } finally {
          await core.close();
        }
      })(),
    );

  cmd
    .command('show <name>')
    .description('show a profile (secret values are never shown)')
    .option('--json', 'machine-readable output')
    .action((name: string, flags: { json?: boolean }) =>
      run(async () => {
        const core = openCore(globals());
        try {
          const p = core.profiles.resolve(name);
          if (flags.json) return printJson(publicProfile(p));
          const rows = [['name', p.name], ['type', p.type], ...Object.entries(p.options).map(([k, v]) => [k, String(v)])];
          for (const s of p.secretsSet) rows.push([s, '(stored in keychain)']);
          process.stdout.write(table(rows) + '\n');
        } finally {
          await core.close();
        }
      })(),
    );

  cmd
    .command('test <name>')
    .description('connect, authenticate and list the home folder (a database: its version and schemas); says what failed in plain words')
    .action((name: string) =>
      run(async () => {
        const core = openCore(globals());
        try {
          const p = core.profiles.resolve(name);
          const asError = (e: ErrorData) => new FerryError(e.code, e.message, { detail: e.detail });
          const result = await withHostKeyPrompt(core, async () => {
            const r = await core.profiles.test(p.id);
            const e = r.error as ErrorData | undefined;
            if (e?.code === 'HOST_KEY_UNKNOWN') throw asError(e); // asked about at a terminal, then tried again
            return r;
          });
          for (const s of result.steps) process.stdout.write(`${s.ok ? 'ok  ' : 'FAIL'} ${s.step} (${s.ms} ms)\n`);
          if (result.server) process.stdout.write(`server: ${safeText(result.server)}\n`);
          if (result.schemas) process.stdout.write(`schemas: ${safeText(result.schemas.join(', '))}\n`);
          if (result.ok) return void process.stdout.write(`Profile "${p.name}" works.\n`);
          printError(asError(result.error as ErrorData));
          return EXIT_FAILURE;
        } finally {
          await core.close();
        }
      })(),
    );

  cmd
    .command('rm <name>')
    .description('delete a profile and its keychain secrets')
    .action((name: string) =>
      run(async () => {
        const core = openCore(globals());
        try {
          const p = core.profiles.resolve(name);
          await core.profiles.remove(p.id);
          process.stderr.write(`Deleted profile "${p.name}".\n`);
        } finally {
          await core.close();
        }
      })(),
    );

  cmd
    .command('import-ssh-config [file]')
    .description('create SFTP profiles from ~/.ssh/config (Host, HostName, Port, User, IdentityFile)')
    .option('--json', 'machine-readable output')
    .action((file: string | undefined, flags: { json?: boolean }) =>
      run(async () => {
        const core = openCore(globals());
        try {
          const r = await importSshConfigProfiles(core.profiles, file);
          if (flags.json) return printJson({ imported: r.imported.map(publicProfile), skipped: r.skipped });
          for (const p of r.imported) process.stdout.write(`imported ${p.name}: ${where(p)}\n`);
          for (const s of r.skipped) process.stdout.write(`skipped  ${s.host}: ${s.reason}\n`);
        } finally {
          await core.close();
        }
      })(),
    );
  return cmd;
}

function where(p: Profile): string {
  const o = p.options;
  if (o.host) return `${o.user ? o.user + '@' : ''}${o.host}${o.port ? ':' + o.port : ''}`;
  return String(o.endpoint ?? o.bucket ?? o.container ?? o.accountName ?? '');
}

/** The stable --json shape of a profile (documented in docs/cli.md). */
function publicProfile(p: Profile) {
  return { id: p.id, name: p.name, type: p.type, options: p.options, secretsSet: p.secretsSet, createdAt: p.createdAt, updatedAt: p.updatedAt };
}

async function askMissingSecrets(
  specs: OptionSpec[],
  options: Record<string, unknown>,
  secrets: Record<string, string>,
): Promise<void> {
  if (!interactive()) return;
  for (const s of specs) {
    if (!s.required || !isSecretOption(s) || s.name in secrets) continue;
    if (!optionApplies(s, options as never, specs)) continue;
    secrets[s.name] = await promptHidden(`${s.label}: `);
  }
}
