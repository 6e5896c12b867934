import { memo } from 'react';
import type { Entry } from '../../../../shared/connectors';
import { formatBytes, formatDate } from '../../components/format';
import { FileIcon, FolderIcon, LinkIcon } from '../../components/icons';
import { formatRowEstimate } from '../databases/row-estimate';
import classes from './FileTable.module.css';
import { kindOf } from './sort';

interface Props {
  entry: Entry;
  index: number;
  top: number;
  selected: boolean;
  cursor: boolean;
  dropTarget: boolean;
}

/** One listing row. Events are handled by the table through data-index, so rows stay cheap and memoized. */
export const FileRow = memo(function FileRow({ entry, index, top, selected, cursor, dropTarget }: Props) {
  const dir = entry.type === 'dir';
  const Icon = dir ? FolderIcon : entry.type === 'symlink' ? LinkIcon : FileIcon;
  return (
    <div
      className={classes.row}
      style={{ transform: `translateY(${top}px)` }}
      data-index={index}
      data-testid={`row-${entry.name}`}
      data-selected={selected || undefined}
      data-cursor={cursor || undefined}
      data-drop-target={dropTarget || undefined}
      data-type={entry.type}
      role="row"
      aria-selected={selected}
      draggable
    >
      <div className={classes.name} role="gridcell" title={entry.name}>
        <Icon className={dir ? classes.dirIcon : classes.fileIcon} />
        <span>{entry.name}</span>
      </div>
      <div className={`${classes.cell} ${classes.right}`} role="gridcell">
        {dir ? '' : formatBytes(entry.size)}
      </div>
      <div className={classes.cell} role="gridcell" data-testid={entry.table ? 'row-estimate' : undefined}>
        {entry.table ? formatRowEstimate(entry.table.rowEstimate) : formatDate(entry.modified)}
      </div>
      <div className={classes.cell} role="gridcell">
        {kindOf(entry)}
      </div>
    </div>
  );
});
