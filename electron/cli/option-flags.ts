import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { ConnectorInfo, OptionSpec } from '../../shared/connectors';
import { cliFlagOf, kebabOption, secretEnvName } from '../../shared/endpoints';
import type { OptionValues } from '../../shared/profiles';
import { UsageError } from './output';
import { readStdin } from './prompt';

const kebab = kebabOption;
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
export const flagOf = cliFlagOf;
const isSecret = (o: OptionSpec) => o.kind === 'secret' || o.secret === true;
const envOf = (o: OptionSpec) => secretEnvName(o.name);

/**
 * CLI flags generated from every connector's declared options: `--host H`, `--port N`; secrets only as
 * `--NAME-stdin`, `--NAME-file PATH` (multi-line ones such as a JSON key), or FERRY_SECRET_NAME, never as
 * a plain argument (it would show in `ps` and shell history).
 */
export function addOptionFlags(cmd: Command, infos: ConnectorInfo[]): void {
  const seen = new Set<string>();
  for (const info of infos) {
    for (const o of info.options) {
      const flag = flagOf(o);
      if (seen.has(flag)) continue;
      seen.add(flag);
      if (isSecret(o)) {
        cmd.addOption(new Option(`--${flag}-stdin`, `read ${o.label} from standard input (or set ${envOf(o)})`));
        if (o.kind === 'text') cmd.addOption(new Option(`--${flag}-file <path>`, `read ${o.label} from a file (its content goes to the keychain)`));
      } else if (o.kind === 'boolean') {
        cmd.addOption(new Option(`--${flag} [bool]`, o.help ?? o.label));
      } else {
        const opt = new Option(`--${flag} <${o.kind === 'number' ? 'n' : 'value'}>`, o.help ?? o.label);
        cmd.addOption(o.kind === 'enum' ? opt.choices(allChoices(infos, flag)) : opt);
      }
    }
    for (const sw of info.cliSwitches ?? []) {
      if (seen.has(sw.flag)) continue;
      seen.add(sw.flag);
      cmd.addOption(new Option(`--${sw.flag}`, sw.help));
    }
  }
}

function allChoices(infos: ConnectorInfo[], flag: string): string[] {
  const set = new Set<string>();
  for (const i of infos) for (const o of i.options) if (flagOf(o) === flag) o.choices?.forEach((c) => set.add(c.value));
  return [...set];
}

/** Turns parsed flags into a profile's options and secrets for one connector type. */
export async function optionsFromFlags(
  info: ConnectorInfo,
  flags: Record<string, unknown>,
  allInfos: ConnectorInfo[],
): Promise<{ options: OptionValues; secrets: Record<string, string> }> {
  const options: OptionValues = {};
  const secrets: Record<string, string> = {};
  const stdinSecrets: OptionSpec[] = [];
  const known = new Set<string>(['type', 'trustHostKey', 'json']);
  for (const o of info.options) {
    const key = camel(flagOf(o));
    if (isSecret(o)) {
      known.add(key + 'Stdin').add(key + 'File');
      if (flags[key + 'Stdin']) stdinSecrets.push(o);
      else if (typeof flags[key + 'File'] === 'string') {
        const { readFile } = await import('node:fs/promises');
        secrets[o.name] = (await readFile(resolve(flags[key + 'File'] as string), 'utf8')).trim();
      } else if (process.env[envOf(o)]) secrets[o.name] = process.env[envOf(o)]!;
      continue;
    }
    known.add(key);
    const v = flags[key];
    if (v === undefined) continue;
    checkFlagValue(o, v);
    options[o.name] = o.kind === 'file' ? resolve(String(v)) : o.kind === 'boolean' && v === true ? true : (v as string);
    for (const [k, val] of Object.entries(o.implies ?? {})) if (!(k in options)) options[k] = val;
  }
  for (const sw of info.cliSwitches ?? []) {
    known.add(camel(sw.flag));
    if (flags[camel(sw.flag)]) Object.assign(options, sw.sets);
  }
  // Implied defaults yield to explicit flags: re-apply explicit values last.
  for (const o of info.options) {
    const v = flags[camel(flagOf(o))];
    if (!isSecret(o) && v !== undefined && o.kind !== 'file') options[o.name] = o.kind === 'boolean' && v === true ? true : (v as string);
  }
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined || known.has(k)) continue;
    const owner = allInfos.find((i) => i.options.some((o) => camel(flagOf(o)) === k || camel(flagOf(o)) + 'Stdin' === k));
    if (owner) throw new UsageError(`--${kebab(k)} is not an option of ${info.type} profiles`);
  }
  if (stdinSecrets.length) {
    const text = await readStdin();
    if (stdinSecrets.length === 1) secrets[stdinSecrets[0].name] = text.replace(/\r?\n$/, '');
    else {
      const lines = text.split(/\r?\n/);
      stdinSecrets.forEach((o, i) => (secrets[o.name] = lines[i] ?? ''));
    }
  }
  return { options, secrets };
}

/**
 * A connector option's flag value, checked where the user typed it, so the message names the flag and the
 * value (the profile layer would only know the option's label): numbers are 0 or more, booleans say so.
 */
function checkFlagValue(o: OptionSpec, v: unknown): void {
  if (typeof v !== 'string') return;
  const flag = `--${flagOf(o)}`;
  if (o.kind === 'number') {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a number (0 or more), not ${JSON.stringify(v)}`);
  } else if (o.kind === 'boolean' && !BOOLEAN_WORDS.includes(v.toLowerCase())) {
    throw new UsageError(`${flag} must be true or false, not ${JSON.stringify(v)}`);
  }
}
const BOOLEAN_WORDS = ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'];

/** A whole-number flag such as --transfers N: a UsageError naming the flag, the range and the bad value. */
export function parseIntFlag(flag: string, text: string, min: number, max: number): number {
  const n = /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  return n;
}
