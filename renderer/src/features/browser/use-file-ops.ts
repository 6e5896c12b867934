import { joinPath } from '../../../../shared/paths';
import { refreshEndpoint } from '../../api/listings';
import { useApiMutation } from '../../api/use-api-mutation';

/** New folder, rename and delete on one endpoint; each refreshes the listings it changed. */
export function useFileOps(endpoint: string) {
  const done = () => refreshEndpoint(endpoint);
  const mkdir = useApiMutation('fs.mkdir', { onSuccess: done });
  const rename = useApiMutation('fs.rename', { onSuccess: done });
  const remove = useApiMutation('fs.remove', { onSuccess: done });
  return {
    mkdir: (folder: string, name: string) => mkdir.run({ endpoint, path: joinPath(folder, name) }),
    rename: (from: string, folder: string, name: string) => rename.run({ endpoint, from, to: joinPath(folder, name) }),
    remove: (paths: string[], recursive: boolean) => remove.run({ endpoint, paths, recursive }),
    busy: mkdir.loading || rename.loading || remove.loading,
  };
}
