import type { ApiHandlers } from '../../../shared/api';
import type { TaskService } from '../scheduler/service';

type TaskHandlers = Pick<ApiHandlers, 'tasks.list' | 'tasks.get' | 'tasks.save' | 'tasks.remove' | 'tasks.enable' | 'tasks.run' | 'tasks.history' | 'tasks.preview'>;

/** The tasks.* methods map one to one onto the task service. */
export function taskHandlers(tasks: TaskService): TaskHandlers {
  return {
    'tasks.list': async () => tasks.list(),
    'tasks.get': async ({ id }) => tasks.get(id),
    'tasks.save': async (input) => tasks.save(input),
    'tasks.remove': async ({ id }) => (tasks.remove(id), { ok: true }),
    'tasks.enable': async ({ id, enabled }) => tasks.setEnabled(id, enabled),
    'tasks.run': async ({ id }) => ({ runId: tasks.run(id).runId }),
    'tasks.history': async (q) => tasks.history(q),
    'tasks.preview': async ({ schedule, timezone }) => tasks.preview(schedule, timezone),
  };
}
