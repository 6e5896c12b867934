import { NativeSelect } from '@mantine/core';
import { LOCAL_ENDPOINT } from '../../../../shared/connectors';
import { useProfiles } from '../profiles/use-profiles';

export const MANAGE_CONNECTIONS = '__manage__';

/** This computer, or one of the saved connections; the last item opens the connection manager. */
export function EndpointSelect({ value, onChange, onManage }: { value: string; onChange: (endpoint: string) => void; onManage: () => void }) {
  const { profiles } = useProfiles();
  const known = value === LOCAL_ENDPOINT || profiles.some((p) => p.id === value);
  const data = [
    { group: 'This computer', items: [{ value: LOCAL_ENDPOINT, label: 'This computer' }] },
    {
      group: 'Saved connections',
      items: [
        ...profiles.map((p) => ({ value: p.id, label: `${p.name} (${p.type})` })),
        ...(known ? [] : [{ value, label: 'Deleted connection', disabled: true }]),
        { value: MANAGE_CONNECTIONS, label: 'Manage connections…' },
      ],
    },
  ];
  return (
    <NativeSelect
      aria-label="Where this pane browses"
      data-testid="endpoint-select"
      size="xs"
      w={190}
      value={value}
      data={data}
      onChange={(e) => (e.currentTarget.value === MANAGE_CONNECTIONS ? onManage() : onChange(e.currentTarget.value))}
    />
  );
}
