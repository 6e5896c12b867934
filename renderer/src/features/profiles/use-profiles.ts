import type { Profile } from '../../../../shared/profiles';
import { useApiQuery } from '../../api/use-api-query';

const EMPTY: Profile[] = [];

/** The saved profiles, shared by the endpoint pickers and the connection manager. */
export function useProfiles() {
  const q = useApiQuery('profiles.list', {});
  return { ...q, profiles: q.data ?? EMPTY };
}
