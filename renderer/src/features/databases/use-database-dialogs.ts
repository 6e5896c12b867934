import { useCallback, useState } from 'react';
import { dirname } from '../../../../shared/paths';
import { api } from '../../api/client';
import { notifyError, notifyInfo } from '../../components/notify';
import { useAppInfo } from '../../app/use-app-info';
import type { ExportRequest } from './ExportDialog';
import type { LoadRequest } from './LoadDialog';
import { routeTransfer, type Side } from './route-transfer';
import { tableAddress } from './table-address';
import type { ColumnsRequest } from './TableColumnsModal';

export type DatabaseDialog = { kind: 'export'; request: ExportRequest } | { kind: 'load'; request: LoadRequest } | { kind: 'columns'; request: ColumnsRequest };

/**
 * The database dialogs the panes open: `route` turns a drop, a copy button or a menu item that involves a
 * database into its export or mapping dialog (and returns false for plain files, which are copied as ever).
 */
export function useDatabaseDialogs() {
  const [dialog, setDialog] = useState<DatabaseDialog | null>(null);
  const localHome = useAppInfo().data?.localHome ?? '/';

  const route = useCallback(
    async (from: Side, to: Side, paths: readonly string[], destPath: string): Promise<boolean> => {
      const r = routeTransfer(from, to, paths, destPath);
      if (r.kind === 'files') return false;
      if (r.kind === 'refused') {
        notifyInfo('Nothing to export or load', r.message);
        return true;
      }
      if (r.others > 0) notifyInfo('One at a time', `Only ${r.kind === 'export' ? r.table : r.path} is taken; ${r.others} more left as they are.`);
      if (r.kind === 'export') {
        setDialog({
          kind: 'export',
          request: { source: { endpoint: from.endpoint, table: r.table }, destination: { endpoint: to.endpoint, folder: r.folder }, sourceLabel: from.label, destinationLabel: to.label },
        });
        return true;
      }
      let schema = r.target.schema;
      if (schema === null) {
        // Dropped on the list of schemas: the database's own default (PostgreSQL's current_schema()).
        try {
          schema = tableAddress((await api.call('fs.home', { endpoint: to.endpoint })).path).schema ?? '';
        } catch (e) {
          notifyError(e, to.label);
          schema = '';
        }
      }
      const rejectsAt = from.database ? { endpoint: 'local', folder: localHome, label: 'This computer' } : { endpoint: from.endpoint, folder: dirname(r.path), label: from.label };
      setDialog({
        kind: 'load',
        request: {
          source: { endpoint: from.endpoint, path: r.path, label: from.label },
          destination: { endpoint: to.endpoint, label: to.label, schema, table: r.target.table, exists: r.target.exists },
          rejectsAt,
        },
      });
      return true;
    },
    [localHome],
  );

  const openColumns = useCallback((request: ColumnsRequest) => setDialog({ kind: 'columns', request }), []);
  const close = useCallback(() => setDialog(null), []);
  return { dialog, route, openColumns, close };
}
