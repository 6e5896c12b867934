import { AppShell, Button, Group, Splitter, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { BrowserView } from '../features/browser/BrowserView';
import { PreviewPanel } from '../features/preview/PreviewPanel';
import { PreviewOpenerContext } from '../features/preview/use-preview-opener';
import type { PreviewTarget } from '../features/preview/use-table-preview';
import { ProfilesModal } from '../features/profiles/ProfilesModal';
import { QueuePanel } from '../features/transfers/QueuePanel';
import { TrustedHostsModal } from '../features/trust/TrustedHostsModal';
import classes from './AppLayout.module.css';
import { KeychainBadge } from './KeychainBadge';
import { useAppInfo } from './use-app-info';

/** Header (name, keychain status, connections), the two panes, the transfer queue below them, and the preview drawer over both. */
export function AppLayout() {
  const [profilesOpen, setProfilesOpen] = useState(false);
  const [preview, setPreview] = useState<PreviewTarget | null>(null);
  const [trustOpen, setTrustOpen] = useState(false);
  const info = useAppInfo();
  return (
    <PreviewOpenerContext.Provider value={setPreview}>
      <AppShell header={{ height: 48 }} padding={0}>
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <Title order={4} data-testid="app-title">
                Ferry
              </Title>
              {info.data && (
                <Text size="xs" c="dimmed">
                  {info.data.version}
                </Text>
              )}
              <KeychainBadge />
            </Group>
            <Group gap="xs" wrap="nowrap">
              <Button size="xs" variant="default" onClick={() => setTrustOpen(true)} data-testid="open-trusted-hosts">
                Trusted hosts
              </Button>
              <Button size="xs" onClick={() => setProfilesOpen(true)} data-testid="open-profiles">
                Connections
              </Button>
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Main className={classes.main}>
          <Splitter orientation="vertical" className={classes.split} lineSize={4}>
            <Splitter.Pane defaultSize={68} min={25} className={classes.top}>
              <BrowserView onManageConnections={() => setProfilesOpen(true)} />
            </Splitter.Pane>
            <Splitter.Pane defaultSize={32} min={8} className={classes.bottom}>
              <QueuePanel />
            </Splitter.Pane>
          </Splitter>
        </AppShell.Main>
        <ProfilesModal opened={profilesOpen} onClose={() => setProfilesOpen(false)} />
        <TrustedHostsModal opened={trustOpen} onClose={() => setTrustOpen(false)} />
        <PreviewPanel target={preview} onClose={() => setPreview(null)} />
      </AppShell>
    </PreviewOpenerContext.Provider>
  );
}
