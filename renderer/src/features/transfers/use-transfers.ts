import { useContext } from 'react';
import { TransfersContext, type TransfersApi } from './transfers-context';

export function useTransfers(): TransfersApi {
  const ctx = useContext(TransfersContext);
  if (!ctx) throw new Error('useTransfers must be used inside <TransfersProvider>');
  return ctx;
}
