import { notifications } from '@mantine/notifications';
import { useApiEvent } from '../../api/use-api-event';

/** A toast when a task's run fails (in the app and in `ferry serve`'s browser UI). */
export function TaskRunNotifier() {
  useApiEvent('tasks.runEnded', (e) => {
    if (e.state === 'failed') {
      notifications.show({ color: 'red', title: `Task ${e.taskName} failed`, message: e.error?.message ?? e.message, autoClose: 10_000, withBorder: true });
    }
  });
  return null;
}
