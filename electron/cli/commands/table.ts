import { Command, Option } from 'commander';
import { basename, dirname, joinPath } from '../../../shared/paths';
import { CONFLICT_POLICIES } from '../../../shared/conflict-policies';
import type { Preview, TableFormat, TableReadOptions } from '../../../shared/table';
import { TABLE_ENCODINGS, TABLE_FORMATS } from '../../../shared/table-formats';
import type { FerryCore } from '../../core/app';
import { isFerryError } from '../../core/errors';
import { openCore, planJob, withHostKeyPrompt, type GlobalOptions } from '../context';
import { absolutize, parseEndpointPath } from '../endpoint-arg';
import { watchJob } from '../job-progress';
import { EXIT_FAILURE, humanSize, printJson, table, UsageError } from '../output';

type Run = (f: () => Promise<number | void>) => () => Promise<void>;

interface ReadFlags {
  sheet?: string;
  delimiter?: string;
  quote?: string;
  encoding?: string;
  header?: boolean;
}

/** Reading options shared by preview and convert: every sniffed decision can be overridden. */
function readOptions(cmd: Command, formatFlag: string): Command {
  return cmd
    .addOption(new Option(`${formatFlag} <format>`, 'read the file as this format (default: from its first bytes and name)').choices([...TABLE_FORMATS]))
    .option('--sheet <name|index>', 'xlsx: the sheet to read (a name, or a 0-based index)')
    .option('--delimiter <char>', 'CSV: the field delimiter (default: sniffed among , ; TAB |); "\\t" for TAB')
    .option('--quote <char>', 'CSV: the quote character (default: sniffed)')
    .addOption(new Option('--encoding <name>', 'CSV: the text encoding (default: detected)').choices([...TABLE_ENCODINGS]))
    .option('--no-header', 'CSV: the first row is data, not column names');
}

function toReadOptions(f: ReadFlags, format: string | undefined): TableReadOptions {
  const delimiter = f.delimiter === '\\t' || f.delimiter === 'TAB' ? '\t' : f.delimiter;
  if (delimiter !== undefined && delimiter.length !== 1) throw new UsageError(`--delimiter must be one character (or \\t), not ${JSON.stringify(f.delimiter)}`);
  const sheet = f.sheet === undefined ? undefined : /^\d+$/.test(f.sheet) ? Number(f.sheet) : f.sheet;
  return {
    ...(format ? { format: format as TableFormat } : {}),
    ...(delimiter ? { delimiter } : {}),
    ...(f.quote ? { quote: f.quote } : {}),
    ...(f.encoding ? { encoding: f.encoding as TableReadOptions['encoding'] } : {}),
    ...(f.header === false ? { header: false } : {}),
    ...(sheet !== undefined ? { sheet } : {}),
  };
}

function count(v: string | undefined, flag: string, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`${flag} must be a whole number from 0 to ${max}, not ${JSON.stringify(v)}`);
  return n;
}

/** A cell as the terminal shows it: NULL spelled out, long text cut, control characters visible. */
export function cell(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  const visible = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  return visible.length > 40 ? `${visible.slice(0, 39)}…` : visible;
}

function printPreview(p: Preview): void {
  const out: string[] = [];
  const what: string[] = [p.format];
  if (p.sheet) what.push(`sheet "${p.sheet}" of ${p.sheets?.length}`);
  if (p.dialect) {
    const d = p.dialect;
    what.push(`delimiter ${d.delimiter === '\t' ? 'TAB' : JSON.stringify(d.delimiter)}`, `encoding ${d.encoding}${d.bom ? ' (BOM)' : ''}`, d.header ? 'header row' : 'no header row');
    if (d.gzip) what.push('gzip');
    if (d.decimalComma) what.push('decimal comma');
  }
  out.push(what.join(', '));
  out.push(`${p.rowCount === null ? 'rows: unknown without a full read' : `rows: ${p.rowCount}`}; read ${humanSize(p.bytesRead)} of ${humanSize(p.size)}${p.rangedRead ? '' : ' (this server cannot read ranges: streamed from the start)'}`);
  out.push('');
  out.push(table([['COLUMN', 'TYPE'], ...p.columns.map((c) => [cell(c.name), c.type])]));
  out.push('');
  const numeric = p.columns.map((c, i) => (/^(int|decimal|float)/.test(c.type) ? i + 1 : -1)).filter((i) => i > 0);
  out.push(table([['#', ...p.columns.map((c) => cell(c.name))], ...p.rows.map((r, i) => [String(p.offset + i + 1), ...r.map(cell)])], [0, ...numeric]));
  if (p.more) out.push(`… more rows follow (--offset ${p.offset + p.rows.length})`);
  for (const w of p.warnings) out.push(`warning: ${w.message}`);
  process.stdout.write(out.join('\n') + '\n');
}

async function withCore<T>(globals: GlobalOptions, f: (core: FerryCore) => Promise<T>): Promise<T> {
  const core = openCore(globals);
  try {
    return await withHostKeyPrompt(core, () => f(core));
  } finally {
    await core.close();
  }
}

export function tableCommands(run: Run, globals: () => GlobalOptions): Command[] {
  const preview = readOptions(
    new Command('preview')
      .argument('<target>', 'ENDPOINT:PATH of a CSV, TSV, xlsx, Parquet, JSON or NDJSON file')
      .description('show a table file\'s columns, types and first rows, reading only what they need (ranged reads)')
      .option('--rows <n>', 'rows to show', '20')
      .option('--offset <n>', 'skip this many data rows first', '0')
      .option('--json', 'machine-readable output (docs/cli.md: { format, dialect?, sheets?, columns, rows, rowCount, bytesRead, size })'),
    '--format',
  ).action((arg: string, flags: ReadFlags & { rows?: string; offset?: string; json?: boolean; format?: string }) =>
    run(() =>
      withCore(globals(), async (core) => {
        const limit = count(flags.rows, '--rows', 20, 10_000);
        const offset = count(flags.offset, '--offset', 0, Number.MAX_SAFE_INTEGER);
        const t = await absolutize(core, parseEndpointPath(core, arg));
        const p = await core.handlers['table.preview']({ endpoint: t.endpoint, path: t.path, offset, limit: Math.max(limit, 1), options: toReadOptions(flags, flags.format) });
        if (limit === 0) p.rows = [];
        if (flags.json) {
          const { stats: _s, offset: _o, more: _m, rangedRead: _r, ...stable } = p;
          return printJson(stable);
        }
        printPreview(p);
      }),
    )(),
  );

  const convert = readOptions(
    new Command('convert')
      .argument('<src>', 'ENDPOINT:PATH of the file to read')
      .argument('<dst>', 'ENDPOINT:PATH of the file to write (its extension names the format), or a folder')
      .description('convert a table file to another format on any endpoint (streamed, atomic, verified; a job in the queue)')
      .addOption(new Option('--format <format>', 'the format to write (default: from DST\'s extension)').choices([...TABLE_FORMATS]))
      .addOption(new Option('--compression <codec>', 'Parquet: the compression').choices(['snappy', 'zstd', 'gzip', 'none']))
      .option('--out-delimiter <char>', 'CSV: the delimiter to write (default , ; TAB for tsv)')
      .addOption(new Option('--out-encoding <name>', 'CSV: the encoding to write (default utf-8)').choices([...TABLE_ENCODINGS]))
      .addOption(new Option('--on-conflict <policy>', 'when DST exists').choices(CONFLICT_POLICIES.filter((p) => p !== 'ask' && p !== 'resume')).default('overwrite'))
      .option('--json', 'print the finished job as JSON'),
    '--from-format',
  ).action((srcArg: string, dstArg: string, flags: ReadFlags & { fromFormat?: string; format?: string; compression?: string; outDelimiter?: string; outEncoding?: string; onConflict?: string; json?: boolean }) =>
    run(() =>
      withCore(globals(), async (core) => {
        const src = await absolutize(core, parseEndpointPath(core, srcArg));
        const dst = await absolutize(core, parseEndpointPath(core, dstArg));
        const dstIsFolder = dst.trailingSlash || (await isFolder(core, dst.endpoint, dst.path));
        if (dstIsFolder && !flags.format) throw new UsageError(`${dstArg} is a folder: name the file to write (e.g. ${joinPath(dst.path, 'out.parquet')}) or pass --format`);
        const name = dstIsFolder ? `${basename(src.path).replace(/(\.[^.]+)?(\.gz)?$/, '')}.${flags.format}` : basename(dst.path);
        const outDelimiter = flags.outDelimiter === '\\t' ? '\t' : flags.outDelimiter;
        const plan = await planJob(core, {
          kind: 'convert',
          source: { endpoint: src.endpoint, paths: [src.path] },
          destination: { endpoint: dst.endpoint, path: dstIsFolder ? dst.path : dirname(dst.path) },
          conflict: (flags.onConflict ?? 'overwrite') as 'overwrite',
          convert: {
            name,
            read: toReadOptions(flags, flags.fromFormat),
            write: {
              ...(flags.format ? { format: flags.format as TableFormat } : {}),
              ...(flags.compression ? { compression: flags.compression as 'snappy' } : {}),
              ...(outDelimiter ? { delimiter: outDelimiter } : {}),
              ...(flags.outEncoding ? { encoding: flags.outEncoding as 'utf-8' } : {}),
            },
          },
        });
        const job = await core.handlers['jobs.create']({ planId: plan.id });
        const done = await watchJob(core, job.id, { quiet: !!flags.json });
        const detail = await core.handlers['jobs.get']({ id: job.id });
        if (flags.json) printJson(detail);
        const failed = detail.files.find((f) => f.error);
        if (failed?.error && !flags.json) process.stderr.write(`ferry: ${failed.error.message}\n`);
        return done.state === 'done' && done.failedFiles === 0 ? 0 : EXIT_FAILURE;
      }),
    )(),
  );
  return [preview, convert];
}

async function isFolder(core: FerryCore, endpoint: string, path: string): Promise<boolean> {
  try {
    return (await core.handlers['fs.stat']({ endpoint, path })).type === 'dir';
  } catch (e) {
    if (isFerryError(e, 'NOT_FOUND')) return false;
    throw e;
  }
}
