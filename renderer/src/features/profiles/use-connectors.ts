import { useMemo } from 'react';
import type { ConnectorInfo, ConnectorType } from '../../../../shared/connectors';
import { useApiQuery } from '../../api/use-api-query';

const EMPTY: ConnectorInfo[] = [];

/** The connector manifests (options and capabilities per type), fetched once and shared. */
export function useConnectors() {
  const q = useApiQuery('connectors.list', {});
  const connectors = q.data ?? EMPTY;
  const byType = useMemo(() => new Map<ConnectorType, ConnectorInfo>(connectors.map((c) => [c.type, c])), [connectors]);
  return { ...q, connectors, byType };
}
