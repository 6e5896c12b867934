import { ActionIcon, Badge, Button, Group, Switch, Text, Tooltip } from '@mantine/core';
import type { RunState, Task } from '../../../../shared/tasks';
import { useApiMutation } from '../../api/use-api-mutation';
import { notifyInfo } from '../../components/notify';
import { formatInZone } from './use-tasks';

export const RUN_COLORS: Record<RunState, string> = { running: 'blue', done: 'green', failed: 'red', cancelled: 'gray' };

/** One task: name, job, schedule in words, next run, last result badge, and its actions. */
export function TaskRow({ task, onEdit, onHistory, onDelete }: { task: Task; onEdit: () => void; onHistory: () => void; onDelete: () => void }) {
  const run = useApiMutation('tasks.run', { onSuccess: () => notifyInfo('Task started', task.name) });
  const enable = useApiMutation('tasks.enable');
  const last = task.lastRun;
  return (
    <Group justify="space-between" wrap="nowrap" px="xs" py={6} style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }} data-testid={`task-${task.name}`} data-enabled={String(task.enabled)}>
      <div style={{ minWidth: 0, flex: 1 }}>
        <Group gap="xs" wrap="nowrap">
          <Text size="sm" fw={600} data-testid="task-row-name">
            {task.name}
          </Text>
          {last ? (
            <Tooltip label={last.error?.message ?? formatInZone(last.at, task.timezone)} disabled={!last}>
              <Badge size="sm" color={RUN_COLORS[last.state]} data-testid="task-last-result" data-state={last.state}>
                {last.state}
              </Badge>
            </Tooltip>
          ) : (
            <Badge size="sm" color="gray" variant="light" data-testid="task-last-result" data-state="none">
              never run
            </Badge>
          )}
          {task.flagged && (
            <Tooltip label={task.flagged}>
              <Badge size="sm" color="red" variant="outline" data-testid="task-flagged">
                flagged
              </Badge>
            </Tooltip>
          )}
        </Group>
        <Text size="xs" c="dimmed" truncate>
          {task.summary}
        </Text>
        <Text size="xs" data-testid="task-schedule">
          {task.scheduleText}
          {task.nextRuns[0] ? ` · next ${formatInZone(task.nextRuns[0], task.timezone)}` : ''}
        </Text>
      </div>
      <Group gap={6} wrap="nowrap">
        <Switch
          size="xs"
          checked={task.enabled && !task.flagged}
          onChange={(e) => void enable.run({ id: task.id, enabled: e.currentTarget.checked })}
          aria-label={task.enabled ? 'Disable' : 'Enable'}
          data-testid="task-toggle"
        />
        <Button size="compact-xs" onClick={() => void run.run({ id: task.id })} loading={run.loading} disabled={last?.state === 'running'} data-testid="task-run-now">
          Run now
        </Button>
        <Button size="compact-xs" variant="default" onClick={onHistory} data-testid="task-open-history">
          History
        </Button>
        <Button size="compact-xs" variant="default" onClick={onEdit} data-testid="task-edit">
          Edit
        </Button>
        <ActionIcon size="sm" variant="subtle" color="red" onClick={onDelete} aria-label="Delete task" data-testid="task-delete">
          ×
        </ActionIcon>
      </Group>
    </Group>
  );
}
