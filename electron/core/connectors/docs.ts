import type { Capabilities, OptionSpec } from '../../../shared/connectors';
import { cliFlagOf, secretEnvName } from '../../../shared/endpoints';
import { connectorInfo, MANIFESTS } from './manifest';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function flag(o: OptionSpec): string {
  const f = cliFlagOf(o);
  if (o.kind === 'secret' || o.secret) return `\`--${f}-stdin\`${o.kind === 'text' ? `, \`--${f}-file PATH\`` : ''}, env \`${secretEnvName(o.name)}\``;
  if (o.kind === 'boolean') return `\`--${f} [true|false]\``;
  return `\`--${f} ${o.kind === 'number' ? 'N' : 'VALUE'}\``;
}

function capabilityRows(c: Capabilities): string[] {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  return [
    `| ranged reads | ${yes(c.rangedRead)} |`,
    `| parallel segmented reads of one large file | ${yes(c.parallelReads)} |`,
    `| several ranged reads at once on one connection | ${yes(c.sharedReads)} |`,
    `| server-side copy | ${yes(c.serverSideCopy)} |`,
    `| rename / atomic replace | ${yes(c.rename)} / ${yes(c.atomicRename)} |`,
    `| writes invisible until complete | ${yes(c.atomicWrite)} |`,
    `| resume a partial file | ${yes(c.resumableWrite)} |`,
    `| parallel multipart writes | ${yes(c.multipartWrite)} |`,
    `| hashes reported | ${c.hashes.length ? c.hashes.join(', ') : 'none'} |`,
    `| modification time | ${c.modTime.precisionMs ? `${c.modTime.precisionMs} ms precision` : 'not kept'}, ${c.modTime.settable ? 'settable' : 'not settable'} |`,
    `| empty folders | ${yes(c.emptyDirs)} |`,
    `| buckets as top-level folders | ${yes(c.bucketBased)} |`,
    `| connections per endpoint (default) | ${c.maxConnections} |`,
    // 4 MiB: the engine's SHARED_FILE_BYTES (transfer/file-task.ts).
    `| small files (up to 4 MiB) carried by one connection at once | ${c.sharedTransfers ?? 1} |`,
  ];
}

/** docs/connectors.md, generated from the manifests. */
export function renderConnectorDocs(): string {
  const out = [
    '# Connectors',
    '',
    '<!-- Generated from electron/core/connectors/*/index.ts by `npm run docs`; do not edit by hand. -->',
    '',
    'Each connector declares its options (the profile form and the `ferry profile add` flags come from them) and its',
    'capabilities (the engine and the UI read them; nothing undeclared is ever called). Secrets are stored in the OS',
    'keychain and are only accepted on standard input, at a prompt, or from the environment.',
    '',
  ];
  for (const info of MANIFESTS.map(connectorInfo)) {
    out.push(`## ${info.label} (\`${info.type}\`)`, '', info.description, '');
    if (info.options.length) {
      out.push('| Option | CLI | Kind | Default | Help |', '|---|---|---|---|---|');
      for (const o of info.options) {
        out.push(`| ${cell(o.label)}${o.required ? ' (required)' : ''}${o.advanced ? ' (advanced)' : ''} | ${flag(o)} | ${o.kind}${o.choices ? `: ${o.choices.map((c) => c.value).join(', ')}` : ''} | ${o.default ?? ''} | ${cell(o.help ?? '')} |`);
      }
      for (const s of info.cliSwitches ?? []) out.push(`| | \`--${s.flag}\` | switch | | ${cell(s.help)} |`);
      out.push('');
    }
    out.push('| Capability | |', '|---|---|', ...capabilityRows(info.capabilities), '');
    out.push(`**No partial file under its final name:** ${info.atomicityNote}`, '');
  }
  return out.join('\n');
}
