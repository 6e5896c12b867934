import { Badge, Text } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { PlanItem } from '../../../../shared/transfers';
import { formatBytes } from '../../components/format';
import classes from './Transfers.module.css';
import { ACTION_COLORS, ACTION_LABELS } from './plan-summary';

/** Every item of a plan, virtualized (a sync plan can list 100,000 files). */
export function PlanItemList({ items }: { items: PlanItem[] }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: items.length, getScrollElement: () => scrollRef.current, estimateSize: () => 26, overscan: 10 });
  if (items.length === 0)
    return (
      <Text size="sm" c="dimmed" p="sm">
        Nothing to list.
      </Text>
    );
  return (
    <div ref={scrollRef} className={classes.planList} data-testid="plan-items">
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {v.getVirtualItems().map((row) => {
          const item = items[row.index];
          return (
            <div key={row.key} className={classes.planRow} style={{ transform: `translateY(${row.start}px)` }} data-testid={`plan-item-${item.relPath}`} data-action={item.action}>
              <Badge size="xs" variant="light" color={ACTION_COLORS[item.action]} w={130}>
                {ACTION_LABELS[item.action]}
              </Badge>
              <Text size="xs" truncate title={item.reason ?? item.dstPath}>
                {item.relPath}
              </Text>
              <Text size="xs" c="dimmed" ta="right">
                {item.action === 'mkdir' ? '' : formatBytes(item.size)}
              </Text>
            </div>
          );
        })}
      </div>
    </div>
  );
}
