import type { OptionSpec } from '../../../shared/connectors';
import type { OptionValues } from '../../../shared/profiles';
import { FerryError } from '../errors';

export const isSecretOption = (o: OptionSpec) => o.kind === 'secret' || o.secret === true;

/** Whether an option applies given the other values (showIf). */
export function optionApplies(o: OptionSpec, values: OptionValues, all: OptionSpec[]): boolean {
  if (!o.showIf) return true;
  const dep = all.find((d) => d.name === o.showIf!.option);
  const v = values[o.showIf.option] ?? dep?.default;
  return o.showIf.in.includes(v as string | boolean);
}

/**
 * Checks and normalizes non-secret option values against a connector's declared options: unknown names and
 * secrets are refused (secrets travel separately, to the keychain), types are coerced from strings (CLI
 * flags), required ones must be present. Defaults are not stored, so a later default change applies.
 */
export function normalizeOptions(specs: OptionSpec[], values: OptionValues, secretNamesSet: string[]): OptionValues {
  const out: OptionValues = {};
  for (const [name, raw] of Object.entries(values)) {
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new FerryError('INVALID_INPUT', `Unknown option "${name}"`, { detail: { option: name } });
    if (isSecretOption(spec)) {
      throw new FerryError('INVALID_INPUT', `"${spec.label}" is a secret: it goes to the keychain, not into the profile's options`, { detail: { option: name } });
    }
    if (raw === '' || raw === undefined) continue;
    out[name] = coerce(spec, raw);
  }
  for (const spec of specs) {
    if (!spec.required || !optionApplies(spec, out, specs)) continue;
    const present = isSecretOption(spec) ? secretNamesSet.includes(spec.name) : out[spec.name] !== undefined || spec.default !== undefined;
    if (!present) throw new FerryError('INVALID_INPUT', `"${spec.label}" is required`, { detail: { option: spec.name } });
  }
  return out;
}

function coerce(spec: OptionSpec, raw: string | number | boolean): string | number | boolean {
  const bad = (why: string) => new FerryError('INVALID_INPUT', `"${spec.label}": ${why}`, { detail: { option: spec.name, value: String(raw) } });
  switch (spec.kind) {
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(raw);
      if (!Number.isFinite(n)) throw bad('expected a number');
      return n;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (['true', '1', 'yes', 'on'].includes(String(raw).toLowerCase())) return true;
      if (['false', '0', 'no', 'off'].includes(String(raw).toLowerCase())) return false;
      throw bad('expected true or false');
    case 'enum':
      if (!spec.choices?.some((c) => c.value === String(raw))) {
        throw bad(`expected one of ${spec.choices?.map((c) => c.value).join(', ')}`);
      }
      return String(raw);
    default:
      return String(raw);
  }
}
