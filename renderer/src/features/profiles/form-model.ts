import type { ConnectorInfo, ConnectorType, OptionSpec } from '../../../../shared/connectors';
import { ProfileNameSchema, type OptionValues, type Profile, type ProfileInput } from '../../../../shared/profiles';

/**
 * The profile form's state, generated from a connector's declared options. Secrets are never prefilled:
 * `secrets` holds only what the user typed in this form, `cleared` the stored secrets they asked to forget.
 */
export interface ProfileForm {
  name: string;
  type: ConnectorType;
  values: OptionValues;
  secrets: Record<string, string>;
  cleared: string[];
}

export const isSecretOption = (o: OptionSpec) => o.kind === 'secret' || o.secret === true;

function defaults(connector: ConnectorInfo): OptionValues {
  const v: OptionValues = {};
  for (const o of connector.options) if (!isSecretOption(o) && o.default !== undefined) v[o.name] = o.default;
  return v;
}

export function newForm(connector: ConnectorInfo, name = ''): ProfileForm {
  return { name, type: connector.type, values: defaults(connector), secrets: {}, cleared: [] };
}

export function formFromProfile(p: Profile, connector: ConnectorInfo | undefined): ProfileForm {
  return { name: p.name, type: p.type, values: { ...(connector ? defaults(connector) : {}), ...p.options }, secrets: {}, cleared: [] };
}

/** An option's current value, falling back to its declared default. */
function valueOf(connector: ConnectorInfo, values: OptionValues, name: string) {
  return values[name] ?? connector.options.find((o) => o.name === name)?.default;
}

/** Options shown for the current values: showIf hides those whose controlling option has another value. */
export function visibleOptions(connector: ConnectorInfo, values: OptionValues): OptionSpec[] {
  return connector.options.filter((o) => {
    if (!o.showIf) return true;
    const v = valueOf(connector, values, o.showIf.option);
    return v !== undefined && o.showIf.in.includes(v as string | boolean);
  });
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '';

/** Field errors in plain words, keyed by option name ("name" for the profile name). */
export function validate(form: ProfileForm, connector: ConnectorInfo, secretsSet: readonly string[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const name = ProfileNameSchema.safeParse(form.name);
  if (!name.success) errors.name = name.error.issues[0]?.message ?? 'Invalid name';
  for (const o of visibleOptions(connector, form.values)) {
    if (!o.required) continue;
    if (isSecretOption(o)) {
      const stored = secretsSet.includes(o.name) && !form.cleared.includes(o.name);
      if (!stored && isEmpty(form.secrets[o.name])) errors[o.name] = `${o.label} is required`;
    } else if (isEmpty(form.values[o.name])) errors[o.name] = `${o.label} is required`;
    if (o.kind === 'number' && !isEmpty(form.values[o.name]) && !Number.isFinite(Number(form.values[o.name])))
      errors[o.name] = `${o.label} must be a number`;
  }
  return errors;
}

/** What profiles.create/update/test receive: visible non-secret values, and only the secrets that changed. */
export function toInput(form: ProfileForm, connector: ConnectorInfo): ProfileInput {
  const options: OptionValues = {};
  const secrets: Record<string, string | null> = {};
  for (const o of visibleOptions(connector, form.values)) {
    if (isSecretOption(o)) {
      if (!isEmpty(form.secrets[o.name])) secrets[o.name] = form.secrets[o.name];
      else if (form.cleared.includes(o.name)) secrets[o.name] = null;
      continue;
    }
    const v = form.values[o.name];
    if (isEmpty(v)) continue;
    options[o.name] = o.kind === 'number' ? Number(v) : v;
  }
  return { name: form.name.trim(), type: form.type, options, ...(Object.keys(secrets).length ? { secrets } : {}) };
}
