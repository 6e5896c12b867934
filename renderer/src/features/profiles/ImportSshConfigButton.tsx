import { Button, List } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { invalidate } from '../../api/query-cache';
import { useApiMutation } from '../../api/use-api-mutation';
import { plural } from '../../components/format';

/** Creates SFTP connections from the hosts in ~/.ssh/config, and says which were skipped and why. */
export function ImportSshConfigButton() {
  const imp = useApiMutation('profiles.importSshConfig', {
    onSuccess: (r) => {
      invalidate('profiles.list');
      notifications.show({
        color: r.imported.length > 0 ? 'teal' : 'gray',
        title: `Imported ${plural(r.imported.length, 'connection')} from ~/.ssh/config`,
        autoClose: r.skipped.length > 0 ? 12000 : 5000,
        message:
          r.skipped.length > 0 ? (
            <List size="xs">
              {r.skipped.slice(0, 8).map((s) => (
                <List.Item key={s.host}>
                  Skipped {s.host}: {s.reason}
                </List.Item>
              ))}
            </List>
          ) : (
            r.imported.map((p) => p.name).join(', ')
          ),
      });
    },
  });
  return (
    <Button variant="default" size="xs" loading={imp.loading} onClick={() => imp.run({})} data-testid="import-ssh-config">
      Import from ~/.ssh/config
    </Button>
  );
}
