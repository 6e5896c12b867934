import { Badge, Tooltip } from '@mantine/core';
import { useAppInfo } from './use-app-info';

/** "Keychain: Secret Service", or a yellow warning that secrets only live in memory this session. */
export function KeychainBadge() {
  const { data } = useAppInfo();
  if (!data) return null;
  const k = data.keychain;
  if (k.available)
    return (
      <Tooltip label="Passwords and keys are stored in the system keychain, never in Ferry's files">
        <Badge variant="light" color="teal" tt="none" data-testid="keychain-badge" data-available="true">
          Keychain: {k.backend}
        </Badge>
      </Tooltip>
    );
  return (
    <Tooltip label={k.reason ?? 'No system keychain could be reached'} multiline w={320}>
      <Badge variant="filled" color="yellow" c="dark" tt="none" data-testid="keychain-badge" data-available="false">
        No keychain: secrets kept in memory
      </Badge>
    </Tooltip>
  );
}
