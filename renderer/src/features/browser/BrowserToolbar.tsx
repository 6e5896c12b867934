import { Button, Group, Kbd, Tooltip } from '@mantine/core';
import { ArrowLeftIcon, ArrowRightIcon } from '../../components/icons';
import { SHORTCUTS } from './actions';

interface Props {
  /** Where Copy and Move send the active pane's selection. */
  direction: 'left' | 'right';
  selected: number;
  canTransfer: boolean;
  /** A database on either side: Copy opens the export or load dialog; Move and Sync do not apply. */
  database: boolean;
  onCopy: () => void;
  onMove: () => void;
  onSync: () => void;
}

/** Copy / Move the active pane's selection to the other pane, and Sync the two folders. */
export function BrowserToolbar({ direction, selected, canTransfer, database, onCopy, onMove, onSync }: Props) {
  const Arrow = direction === 'right' ? ArrowRightIcon : ArrowLeftIcon;
  const arrowSide = direction === 'right' ? { rightSection: <Arrow /> } : { leftSection: <Arrow /> };
  const none = selected === 0 || !canTransfer;
  const what = selected === 1 ? '1 item' : `${selected} items`;
  return (
    <Group gap="xs" px={4} py={4} justify="center">
      <Tooltip label={<>{database ? 'Export or load' : 'Copy'} {what} to the {direction} pane <Kbd size="xs">{SHORTCUTS.copy}</Kbd></>}>
        <Button size="xs" variant="light" disabled={none} onClick={onCopy} data-testid="copy-to-other" {...arrowSide}>
          Copy
        </Button>
      </Tooltip>
      <Tooltip label={<>Move {what} to the {direction} pane <Kbd size="xs">{SHORTCUTS.move}</Kbd></>}>
        <Button size="xs" variant="light" disabled={none || database} onClick={onMove} data-testid="move-to-other" {...arrowSide}>
          Move
        </Button>
      </Tooltip>
      <Tooltip label={`Make the ${direction} pane's folder match the active pane's folder (shows the plan first)`}>
        <Button size="xs" variant="default" disabled={!canTransfer || database} onClick={onSync} data-testid="sync-open">
          Sync…
        </Button>
      </Tooltip>
    </Group>
  );
}
