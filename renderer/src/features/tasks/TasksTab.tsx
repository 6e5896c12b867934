import { Text } from '@mantine/core';
import { useState } from 'react';
import type { Task } from '../../../../shared/tasks';
import { useApiMutation } from '../../api/use-api-mutation';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { TaskEditor } from './TaskEditor';
import { TaskHistoryDrawer } from './TaskHistoryDrawer';
import { TaskRow } from './TaskRow';
import { useTasks } from './use-tasks';

/** The Tasks view: saved tasks with their schedules, next and last runs, and actions. */
export function TasksTab() {
  const { tasks, refetch } = useTasks();
  const [editing, setEditing] = useState<Task | null>(null);
  const [history, setHistory] = useState<Task | null>(null);
  const [deleting, setDeleting] = useState<Task | null>(null);
  const remove = useApiMutation('tasks.remove', { onSuccess: () => void refetch() });
  return (
    <div data-testid="tasks-view">
      {tasks.map((t) => (
        <TaskRow key={t.id} task={t} onEdit={() => setEditing(t)} onHistory={() => setHistory(t)} onDelete={() => setDeleting(t)} />
      ))}
      {tasks.length === 0 && (
        <Text size="sm" c="dimmed" p="sm" data-testid="tasks-empty">
          No saved tasks. In the Sync dialog, press Save as task to run it on a schedule.
        </Text>
      )}
      {editing && <TaskEditor draft={{ task: editing }} onClose={() => setEditing(null)} onSaved={() => void refetch()} />}
      {history && <TaskHistoryDrawer task={history} onClose={() => setHistory(null)} />}
      <ConfirmDialog
        opened={!!deleting}
        title="Delete task"
        message={`Delete the task "${deleting?.name}"? Its runs stay in the transfer history.`}
        confirmLabel="Delete"
        busy={remove.loading}
        onConfirm={() => deleting && void remove.run({ id: deleting.id }).then(() => setDeleting(null))}
        onClose={() => setDeleting(null)}
        testId="task-delete-confirm"
      />
    </div>
  );
}
