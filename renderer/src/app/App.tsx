import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { TransfersProvider } from '../features/transfers/TransfersProvider';
import { TrustProvider } from '../features/trust/TrustProvider';
import { AppLayout } from './AppLayout';
import { ConnectionGate } from './ConnectionGate';
import { theme } from './theme';

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <Notifications position="bottom-right" limit={5} />
      <ConnectionGate>
        <TrustProvider>
          <TransfersProvider>
            <AppLayout />
          </TransfersProvider>
        </TrustProvider>
      </ConnectionGate>
    </MantineProvider>
  );
}
