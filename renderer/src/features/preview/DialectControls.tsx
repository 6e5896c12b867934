import { Button, Group, NativeSelect, Switch, Text, TextInput, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { TABLE_ENCODINGS, type TableReadOptions } from '../../../../shared/table';
import { charName, delimiterChoice, DELIMITERS, lineEndingName, OTHER, type Dialect } from './table-view';

export type DialectOverrides = Pick<TableReadOptions, 'delimiter' | 'quote' | 'header' | 'encoding'>;

interface Props {
  /** The dialect the rows shown were read with. */
  dialect: Dialect;
  /** What Ferry detected before any override (to mark it in the choices). */
  detected: Dialect | null;
  overrides: DialectOverrides;
  onChange: (overrides: DialectOverrides) => void;
}

const QUOTES = ['"', "'"];

/** The CSV/TSV dialect as read (delimiter, quote, header, encoding), each choice overridable; a change re-reads. */
export function DialectControls({ dialect, detected, overrides, onChange }: Props) {
  const delimiter = overrides.delimiter ?? dialect.delimiter;
  const [otherOpen, setOtherOpen] = useState(delimiterChoice(delimiter) === OTHER);
  const [other, setOther] = useState(delimiterChoice(delimiter) === OTHER ? delimiter : '');
  const mark = (label: string, value: string, was: string | boolean | undefined) => (was === value ? `${label} (detected)` : label);
  const encodings = [...new Set<string>([...TABLE_ENCODINGS, dialect.encoding, ...(detected ? [detected.encoding] : [])])];
  const quotes = [...new Set([...QUOTES, dialect.quote, ...(detected ? [detected.quote] : [])])];
  const dirty = Object.values(overrides).some((v) => v !== undefined);

  const applyOther = () => {
    if (other.length >= 1 && other.length <= 2 && other !== delimiter) onChange({ ...overrides, delimiter: other });
  };

  return (
    <Group gap="sm" wrap="wrap" align="flex-end" data-testid="preview-dialect">
      <NativeSelect
        size="xs"
        label="Delimiter"
        w={200}
        value={otherOpen ? OTHER : delimiterChoice(delimiter)}
        data={[...DELIMITERS.map((d) => ({ value: d.value, label: mark(d.label, d.value, detected?.delimiter) })), { value: OTHER, label: 'Other…' }]}
        onChange={(e) => {
          const v = e.currentTarget.value;
          if (v === OTHER) {
            setOtherOpen(true);
            return;
          }
          setOtherOpen(false);
          onChange({ ...overrides, delimiter: v });
        }}
        data-testid="preview-delimiter"
      />
      {otherOpen && (
        <TextInput
          size="xs"
          label="Other delimiter"
          w={110}
          maxLength={2}
          placeholder="e.g. ~"
          value={other}
          onChange={(e) => setOther(e.currentTarget.value)}
          onBlur={applyOther}
          onKeyDown={(e) => e.key === 'Enter' && applyOther()}
          data-testid="preview-delimiter-other"
        />
      )}
      <NativeSelect
        size="xs"
        label="Quote"
        w={200}
        value={overrides.quote ?? dialect.quote}
        data={quotes.map((q) => ({ value: q, label: mark(`${q}  ${charName(q)}`, q, detected?.quote) }))}
        onChange={(e) => onChange({ ...overrides, quote: e.currentTarget.value })}
        data-testid="preview-quote"
      />
      <NativeSelect
        size="xs"
        label="Encoding"
        w={190}
        value={overrides.encoding ?? dialect.encoding}
        data={encodings.map((enc) => ({ value: enc, label: mark(enc, enc, detected?.encoding) }))}
        onChange={(e) => onChange({ ...overrides, encoding: e.currentTarget.value as DialectOverrides['encoding'] })}
        data-testid="preview-encoding"
      />
      <Switch
        size="sm"
        mb={4}
        label={`First row is the header${detected && (overrides.header ?? dialect.header) === detected.header ? ' (detected)' : ''}`}
        checked={overrides.header ?? dialect.header}
        onChange={(e) => onChange({ ...overrides, header: e.currentTarget.checked })}
        data-testid="preview-header-toggle"
      />
      <Tooltip label="How the lines end, and what else the file's first bytes said" withArrow>
        <Text size="xs" c="dimmed" mb={6} data-testid="preview-dialect-summary">
          {charName(dialect.delimiter)} · {lineEndingName(dialect.lineEnding)}
          {dialect.escape && dialect.escape !== dialect.quote ? ` · escape ${charName(dialect.escape)}` : ''}
          {dialect.bom ? ' · BOM' : ''}
          {dialect.gzip ? ' · gzip' : ''}
          {dialect.decimalComma ? ' · decimal comma' : ''}
        </Text>
      </Tooltip>
      {dirty && (
        <Button
          size="compact-xs"
          variant="subtle"
          mb={6}
          onClick={() => {
            setOtherOpen(false);
            onChange({});
          }}
          data-testid="preview-dialect-reset"
        >
          Use detected
        </Button>
      )}
    </Group>
  );
}
