import { ExportDialog } from './ExportDialog';
import { LoadDialog } from './LoadDialog';
import { TableColumnsModal } from './TableColumnsModal';
import type { DatabaseDialog } from './use-database-dialogs';

/** Whichever database dialog is open (one at a time). A new request is a fresh dialog. */
export function DatabaseDialogs({ dialog, onClose }: { dialog: DatabaseDialog | null; onClose: () => void }) {
  if (!dialog) return null;
  if (dialog.kind === 'export') return <ExportDialog key={JSON.stringify(dialog.request)} request={dialog.request} onClose={onClose} />;
  if (dialog.kind === 'load') return <LoadDialog key={JSON.stringify(dialog.request)} request={dialog.request} onClose={onClose} />;
  return <TableColumnsModal request={dialog.request} onClose={onClose} />;
}
