import { useApiQuery } from '../api/use-api-query';

/** Version, home folders and keychain status of the core (app.info), fetched once. */
export function useAppInfo() {
  return useApiQuery('app.info', {});
}
