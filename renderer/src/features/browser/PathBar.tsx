import { Anchor, Breadcrumbs, TextInput } from '@mantine/core';
import { useState } from 'react';
import { joinPath, segments } from '../../../../shared/paths';

/**
 * The editable path (Enter goes there, Escape undoes) above clickable breadcrumbs. What the user is typing
 * is theirs: a folder that arrives meanwhile (the endpoint's home, a listing) does not overwrite it. The
 * typed text is the state itself (null: nothing typed, the field shows the path), not a copy of the path
 * kept in step by an effect: such an effect, flushed just before the first keystroke's update, put the path
 * back over what was typed (an e2e test's folder, typed as the endpoint's home arrived, was lost).
 */
export function PathField({ path, onNavigate }: { path: string | null; onNavigate: (p: string) => void }) {
  const [typed, setTyped] = useState<string | null>(null);
  return (
    <TextInput
      aria-label="Folder path"
      data-testid="path-input"
      size="xs"
      style={{ flex: 1 }}
      value={typed ?? path ?? ''}
      spellCheck={false}
      onChange={(e) => setTyped(e.currentTarget.value)}
      onKeyDown={(e) => {
        const target = e.currentTarget.value.trim();
        if (e.key === 'Enter' && target) {
          setTyped(null);
          onNavigate(target);
        }
        if (e.key === 'Escape') setTyped(null);
      }}
      onBlur={() => setTyped(null)}
    />
  );
}

export function PathCrumbs({ path, onNavigate }: { path: string | null; onNavigate: (p: string) => void }) {
  if (path === null) return null;
  const parts = segments(path);
  const crumbs = [{ label: '/', to: '/' }, ...parts.map((p, i) => ({ label: p, to: joinPath('/', ...parts.slice(0, i + 1)) }))];
  return (
    <Breadcrumbs separator="›" separatorMargin={4} data-testid="breadcrumbs" style={{ flexWrap: 'nowrap', overflow: 'hidden', minWidth: 0 }}>
      {crumbs.map((c) => (
        <Anchor key={c.to} size="xs" component="button" type="button" onClick={() => onNavigate(c.to)} data-testid={`crumb-${c.to}`} style={{ whiteSpace: 'nowrap' }}>
          {c.label}
        </Anchor>
      ))}
    </Breadcrumbs>
  );
}
