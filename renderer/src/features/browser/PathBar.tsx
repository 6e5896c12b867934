import { Anchor, Breadcrumbs, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { joinPath, segments } from '../../../../shared/paths';

/**
 * The editable path (Enter goes there, Escape undoes) above clickable breadcrumbs. What the user is typing
 * is theirs: a folder that arrives meanwhile (the endpoint's home, a listing) does not overwrite it.
 */
export function PathField({ path, onNavigate }: { path: string | null; onNavigate: (p: string) => void }) {
  const [draft, setDraft] = useState(path ?? '');
  const [edited, setEdited] = useState(false);
  useEffect(() => {
    if (!edited) setDraft(path ?? '');
  }, [path, edited]);
  const reset = () => {
    setEdited(false);
    setDraft(path ?? '');
  };
  return (
    <TextInput
      aria-label="Folder path"
      data-testid="path-input"
      size="xs"
      style={{ flex: 1 }}
      value={draft}
      spellCheck={false}
      onChange={(e) => {
        setEdited(true);
        setDraft(e.currentTarget.value);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && draft.trim()) {
          setEdited(false);
          onNavigate(draft.trim());
        }
        if (e.key === 'Escape') reset();
      }}
      onBlur={reset}
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
