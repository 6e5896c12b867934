import { Anchor, PasswordInput, Textarea } from '@mantine/core';
import type { OptionSpec } from '../../../../shared/connectors';
import { useAppInfo } from '../../app/use-app-info';

interface Props {
  option: OptionSpec;
  error?: string;
  typed: string;
  stored: boolean;
  cleared: boolean;
  onType: (v: string) => void;
  onClear: (clear: boolean) => void;
}

/**
 * A secret is never shown or prefilled (the API never returns one). When one is stored, the field says so;
 * typing replaces it, "Forget" deletes it on save.
 */
export function SecretField({ option: o, error, typed, stored, cleared, onType, onClear }: Props) {
  const keychain = useAppInfo().data?.keychain.available !== false;
  const where = keychain ? 'stored in keychain' : 'kept in memory for this session';
  const has = stored && !cleared;
  const placeholder = has ? `•••• ${where} — type to replace` : (o.placeholder ?? '');
  const description = (
    <>
      {o.help ? `${o.help} ` : ''}
      {has && (
        <Anchor component="button" type="button" size="xs" onClick={() => onClear(true)} data-testid={`forget-${o.name}`}>
          Forget the stored value
        </Anchor>
      )}
      {stored && cleared && (
        <Anchor component="button" type="button" size="xs" onClick={() => onClear(false)}>
          Will be deleted on save — undo
        </Anchor>
      )}
      {!keychain && !has && 'No keychain: kept in memory for this session only.'}
    </>
  );
  const common = {
    label: o.label,
    description,
    required: o.required,
    error,
    placeholder,
    value: typed,
    autoComplete: 'off',
    'data-testid': `opt-${o.name}`,
    'data-stored': has || undefined,
  };
  if (o.kind === 'text')
    return <Textarea {...common} autosize minRows={3} maxRows={10} styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} spellCheck={false} onChange={(e) => onType(e.currentTarget.value)} />;
  return <PasswordInput {...common} onChange={(e) => onType(e.currentTarget.value)} />;
}
