import { Alert, Button, Center, Code, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, useRef, useSyncExternalStore, type ReactNode } from 'react';
import { connectionStatus, retryNow } from '../api/bridge';
import type { ConnectionStatus } from '../api/connection-status';
import { invalidate } from '../api/query-cache';
import { jobsStore } from '../features/transfers/jobs-store';

/** After a reconnect the core may have moved on: reload what is on screen and the queue. */
function useRefreshOnReconnect(status: ConnectionStatus) {
  const wasOpen = useRef(status.state === 'open');
  const lost = useRef(false);
  useEffect(() => {
    if (status.state !== 'open') {
      if (wasOpen.current) lost.current = true;
      return;
    }
    wasOpen.current = true;
    if (!lost.current) return;
    lost.current = false;
    invalidate('fs.list');
    invalidate('profiles.list');
    invalidate('jobs.list');
    jobsStore.reload();
  }, [status]);
}

function Screen({ status }: { status: Exclude<ConnectionStatus, { state: 'open' }> }) {
  if (status.state === 'no-token')
    return (
      <Paper withBorder p="xl" maw={560} data-testid="connection-screen" data-status="no-token">
        <Title order={3}>Token missing</Title>
        <Text mt="sm">
          This page needs the address printed by <Code>ferry serve</Code>, which ends with <Code>#token=…</Code>. Open that
          exact address (it is only valid while that <Code>ferry serve</Code> runs).
        </Text>
      </Paper>
    );
  if (status.state === 'connecting' && !status.everOpened && status.attempt === 0)
    return (
      <Stack align="center" data-testid="connection-screen" data-status="connecting">
        <Loader />
        <Text c="dimmed">Connecting to Ferry…</Text>
      </Stack>
    );
  return (
    <Paper withBorder p="xl" maw={560} data-testid="connection-screen" data-status="not-connected">
      <Title order={3}>Not connected</Title>
      <Text mt="sm">
        {status.state === 'waiting' && status.everOpened ? (
          'The connection to Ferry was lost.'
        ) : (
          <>
            Ferry at {location.host} did not accept the connection. Is <Code>ferry serve</Code> still running, and is this
            the address it printed? A token from an earlier run no longer works.
          </>
        )}
      </Text>
      <Text size="sm" c="dimmed" mt="xs">
        {status.state === 'waiting' ? `Trying again in ${Math.ceil(status.retryInMs / 1000)} s (${status.reason}).` : 'Trying again…'}
      </Text>
      <Button mt="md" onClick={retryNow} data-testid="connection-retry">
        Try again now
      </Button>
    </Paper>
  );
}

/** Shows the app once the core is reachable; a clear screen when the token is missing or the link is down. */
export function ConnectionGate({ children }: { children: ReactNode }) {
  const status = useSyncExternalStore(connectionStatus.subscribe, connectionStatus.get);
  useRefreshOnReconnect(status);
  const everOpened = status.state === 'open' || (status.state !== 'no-token' && status.everOpened);
  if (status.state !== 'open' && !everOpened)
    return (
      <Center h="100vh" p="md">
        <Screen status={status} />
      </Center>
    );
  return (
    <>
      {status.state !== 'open' && (
        <Alert
          color="red"
          variant="filled"
          py={6}
          data-testid="connection-banner"
          title="Connection to Ferry lost"
          style={{ position: 'fixed', top: 56, left: '50%', transform: 'translateX(-50%)', zIndex: 300, maxWidth: 640 }}
        >
          Reconnecting… What you start now runs once the connection is back. If Ferry was restarted, open the new
          address it printed.
        </Alert>
      )}
      {children}
    </>
  );
}
