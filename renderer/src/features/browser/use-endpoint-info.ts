import { useMemo } from 'react';
import type { Capabilities, ConnectorType } from '../../../../shared/connectors';
import { LOCAL_ENDPOINT } from '../../../../shared/connectors';
import { useConnectors } from '../profiles/use-connectors';
import { useProfiles } from '../profiles/use-profiles';

export interface EndpointInfo {
  endpoint: string;
  label: string;
  type: ConnectorType | null;
  /** Null until connectors.list answered: menus then offer only what every connector can do. */
  capabilities: Capabilities | null;
  /** The profile this pane points at was deleted. */
  missing: boolean;
  /** A database (its manifest says `tables`): schemas of tables, exported and loaded rather than copied. */
  database: boolean;
}

/** What a pane's endpoint is and can do, from the saved profiles and the connector manifests. */
export function useEndpointInfo(endpoint: string): EndpointInfo {
  const { profiles, data: profilesLoaded } = useProfiles();
  const { byType } = useConnectors();
  return useMemo(() => {
    if (endpoint === LOCAL_ENDPOINT) {
      return { endpoint, label: 'This computer', type: 'local', capabilities: byType.get('local')?.capabilities ?? null, missing: false, database: false };
    }
    const p = profiles.find((x) => x.id === endpoint);
    return {
      endpoint,
      label: p?.name ?? endpoint,
      type: p?.type ?? null,
      capabilities: p ? (byType.get(p.type)?.capabilities ?? null) : null,
      missing: profilesLoaded !== undefined && !p,
      database: p ? byType.get(p.type)?.tables === true : false,
    };
  }, [endpoint, profiles, profilesLoaded, byType]);
}
