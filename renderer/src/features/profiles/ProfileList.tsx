import { Badge, NavLink, ScrollArea, Text } from '@mantine/core';
import type { Profile } from '../../../../shared/profiles';

/** Saved connections, one line each with its type. */
export function ProfileList({ profiles, selected, onSelect }: { profiles: Profile[]; selected: string | null; onSelect: (id: string) => void }) {
  return (
    <ScrollArea style={{ flex: 1 }} data-testid="profile-list">
      {profiles.map((p) => (
        <NavLink
          key={p.id}
          active={p.id === selected}
          label={p.name}
          rightSection={
            <Badge size="xs" variant="light">
              {p.type}
            </Badge>
          }
          onClick={() => onSelect(p.id)}
          data-testid={`profile-item-${p.name}`}
        />
      ))}
      {profiles.length === 0 && (
        <Text size="sm" c="dimmed" p="sm">
          No saved connections yet.
        </Text>
      )}
    </ScrollArea>
  );
}
