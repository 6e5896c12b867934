import { Command } from 'commander';
import type { Entry } from '../../../shared/connectors';
import { LOCAL_ENDPOINT } from '../../../shared/endpoints';
import { manifestFor } from '../../core/connectors/manifest';
import { basename, joinPath } from '../../../shared/paths';
import { isFerryError } from '../../core/errors';
import type { FerryCore } from '../../core/app';
import { openCore, withHostKeyPrompt, type GlobalOptions } from '../context';
import { absolutize, parseEndpointPath, type EndpointPath } from '../endpoint-arg';
import { humanSize, nameOrder, printJson, safeText, table, UsageError } from '../output';

type Run = (f: () => Promise<number | void>) => () => Promise<void>;

/** The stable --json shape of a listing entry (docs/cli.md). */
export const entryJson = (e: Entry) => ({ name: e.name, path: e.path, type: e.type, size: e.size, modified: e.modified });

function isDatabase(core: FerryCore, endpoint: string): boolean {
  return endpoint !== LOCAL_ENDPOINT && !!manifestFor(core.profiles.resolve(endpoint).type).tables;
}

async function target(core: FerryCore, arg: string): Promise<EndpointPath> {
  return absolutize(core, parseEndpointPath(core, arg));
}

/** Opens a core, runs f with the host-key prompt, always closes. */
async function withCore<T>(globals: GlobalOptions, f: (core: FerryCore) => Promise<T>): Promise<T> {
  const core = openCore(globals);
  try {
    return await withHostKeyPrompt(core, () => f(core));
  } finally {
    await core.close();
  }
}

export function fileCommands(run: Run, globals: () => GlobalOptions): Command[] {
  const ls = new Command('ls')
    .argument('[target]', 'ENDPOINT:PATH, or a local path', '.')
    .description('list a folder (ENDPOINT is a profile name or "local"; a bare path is local)')
    .option('--json', 'machine-readable output: [{name, path, type, size, modified}]')
    .option('-l, --long', 'show type, size and modification time (a database table: its columns, types, nullability and key)')
    .action((arg: string, flags: { json?: boolean; long?: boolean }) =>
      run(() =>
        withCore(globals(), async (core) => {
          const t = await target(core, arg);
          const h = core.handlers;
          const st = await h['fs.stat']({ endpoint: t.endpoint, path: t.path });
          // A database table (PROFILE:schema.table) with --long: its columns, as DBeaver's table view shows them
          // (with --json, table.describe's shape; plain --json keeps the listing's stable shape).
          if (st.type !== 'dir' && flags.long && isDatabase(core, t.endpoint)) {
            const info = await h['table.describe']({ endpoint: t.endpoint, path: t.path });
            if (flags.json) return printJson(info);
            const rows = info.columns.map((c) => [c.name, c.dbType, c.type, c.nullable ? 'null' : 'not null', c.key ? 'key' : '']);
            const about = `${info.kind} ${safeText(t.label)}${info.rowEstimate !== null ? `, ~${info.rowEstimate} rows` : ''}`;
            return void process.stdout.write(`${about}\n${table([['column', 'database type', 'type', 'nulls', 'key'], ...rows]).replace(/ +$/gm, '')}\n`);
          }
          const entries = st.type === 'dir' ? (await h['fs.list']({ endpoint: t.endpoint, path: t.path })).entries : [st];
          const byName = nameOrder(entries.map((e) => e.name));
          entries.sort((a, b) => (a.type === 'dir') === (b.type === 'dir') ? byName(a.name, b.name) : a.type === 'dir' ? -1 : 1);
          if (flags.json) return printJson(entries.map(entryJson));
          // Names come from the server: shown with control characters escaped (safeText), --json exact.
          if (!flags.long) return void process.stdout.write(entries.map((e) => safeText(e.type === 'dir' ? e.name + '/' : e.name)).join('\n') + (entries.length ? '\n' : ''));
          const rows = entries.map((e) => [e.type, e.type === 'dir' ? '-' : humanSize(e.size), e.modified ?? '-', e.type === 'dir' ? e.name + '/' : e.name]);
          process.stdout.write(table(rows, [1]) + (rows.length ? '\n' : ''));
        }),
      )(),
    );

  const mkdir = new Command('mkdir')
    .argument('<target>', 'ENDPOINT:PATH')
    .description('create a folder (and missing parents)')
    .action((arg: string) => run(() => withCore(globals(), async (core) => {
      const t = await target(core, arg);
      await core.handlers['fs.mkdir']({ endpoint: t.endpoint, path: t.path });
    }))());

  const rm = new Command('rm')
    .argument('<targets...>', 'ENDPOINT:PATH ...')
    .option('-r, --recursive', 'delete folders and everything in them')
    .description('delete files (and folders with -r)')
    .action((args: string[], flags: { recursive?: boolean }) =>
      run(() => withCore(globals(), async (core) => {
        for (const arg of args) {
          const t = await target(core, arg);
          try {
            await core.handlers['fs.remove']({ endpoint: t.endpoint, paths: [t.path], recursive: !!flags.recursive });
          } catch (e) {
            if (isFerryError(e, 'NOT_EMPTY')) throw new UsageError(`${arg} is a folder that is not empty: use rm -r`);
            throw e;
          }
        }
      }))(),
    );

  const mv = new Command('mv')
    .argument('<from>', 'ENDPOINT:PATH')
    .argument('<to>', 'ENDPOINT:PATH (same endpoint; into it when it is a folder)')
    .description('rename or move within one endpoint (between endpoints: ferry move)')
    .action((fromArg: string, toArg: string) =>
      run(() => withCore(globals(), async (core) => {
        const from = await target(core, fromArg);
        let to = await target(core, toArg);
        if (from.endpoint !== to.endpoint) throw new UsageError('mv works within one endpoint; to move between endpoints use: ferry move SRC DST');
        const dest = await core.handlers['fs.stat']({ endpoint: to.endpoint, path: to.path }).catch(() => null);
        if (dest?.type === 'dir') to = { ...to, path: joinPath(to.path, basename(from.path)) };
        await core.handlers['fs.rename']({ endpoint: from.endpoint, from: from.path, to: to.path });
      }))(),
    );
  return [ls, mkdir, rm, mv];
}
