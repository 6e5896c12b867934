import type { ReactNode } from 'react';
import { HostKeyDialog } from './HostKeyDialog';
import { SecretDialog } from './SecretDialog';
import { usePromptQueue } from './use-prompt-queue';

/**
 * Wraps the app: any call that fails on an unknown host key, a changed one, or a missing secret shows the
 * matching dialog here, and is retried when the user trusts the key or types the secret.
 */
export function TrustProvider({ children }: { children: ReactNode }) {
  const { current, answer } = usePromptQueue();
  return (
    <>
      {children}
      {current?.kind === 'host-key' && (
        <HostKeyDialog key={current.detail.fingerprint} detail={current.detail} changed={current.changed} onAnswer={answer} />
      )}
      {current?.kind === 'secret' && (
        <SecretDialog key={`${current.profileId} ${current.name}`} profileId={current.profileId} name={current.name} message={current.message} onAnswer={answer} />
      )}
    </>
  );
}
