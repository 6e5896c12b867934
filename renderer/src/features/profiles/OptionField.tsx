import { NativeSelect, NumberInput, Switch, Textarea, TextInput } from '@mantine/core';
import type { OptionSpec } from '../../../../shared/connectors';
import { isSecretOption } from './form-model';
import { SecretField } from './SecretField';

interface Props {
  option: OptionSpec;
  value: string | number | boolean | undefined;
  error?: string;
  onChange: (v: string | number | boolean) => void;
  secret: { typed: string; stored: boolean; cleared: boolean; onType: (v: string) => void; onClear: (clear: boolean) => void };
}

/** One generated form field, chosen by the option's declared kind. */
export function OptionField({ option: o, value, error, onChange, secret }: Props) {
  const common = {
    label: o.label,
    description: o.help,
    required: o.required,
    error,
    placeholder: o.placeholder,
    'data-testid': `opt-${o.name}`,
  };
  if (isSecretOption(o)) return <SecretField option={o} error={error} {...secret} />;
  switch (o.kind) {
    case 'number':
      return <NumberInput {...common} value={typeof value === 'number' || typeof value === 'string' ? value : ''} onChange={(v) => onChange(v)} />;
    case 'boolean':
      return (
        <Switch
          label={o.label}
          description={o.help}
          error={error}
          data-testid={`opt-${o.name}`}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />
      );
    case 'enum':
      return (
        <NativeSelect
          {...common}
          value={String(value ?? '')}
          data={[...(value === undefined || value === '' ? [{ value: '', label: 'Choose…' }] : []), ...(o.choices ?? [])]}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'text':
      return (
        <Textarea {...common} autosize minRows={3} maxRows={10} styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} value={String(value ?? '')} onChange={(e) => onChange(e.currentTarget.value)} />
      );
    case 'file':
      return (
        <TextInput
          {...common}
          placeholder={o.placeholder ?? 'Path to the file on the computer running Ferry'}
          value={String(value ?? '')}
          spellCheck={false}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    default:
      return <TextInput {...common} value={String(value ?? '')} spellCheck={false} onChange={(e) => onChange(e.currentTarget.value)} />;
  }
}
