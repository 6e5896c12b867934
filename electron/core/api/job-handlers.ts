import type { ApiHandlers } from '../../../shared/api';
import type { TransferEngine } from '../transfer/engine';

type JobHandlers = Pick<
  ApiHandlers,
  'jobs.plan' | 'jobs.create' | 'jobs.list' | 'jobs.get' | 'jobs.pause' | 'jobs.resume' | 'jobs.cancel' | 'jobs.retry' | 'jobs.resolveConflict' | 'jobs.remove'
>;

/** The jobs.* methods map one to one onto the transfer engine in the core. */
export function jobHandlers(engine: TransferEngine): JobHandlers {
  const ok = { ok: true } as const;
  return {
    'jobs.plan': (spec) => engine.plan(spec),
    'jobs.create': (input) => engine.create(input),
    'jobs.list': async (q) => engine.list(q),
    'jobs.get': async ({ id }) => engine.get(id),
    'jobs.pause': async ({ id, fileIdx }) => (await engine.pause(id, fileIdx), ok),
    'jobs.resume': async ({ id, fileIdx }) => (await engine.resume(id, fileIdx), ok),
    'jobs.cancel': async ({ id, fileIdx }) => (await engine.cancel(id, fileIdx), ok),
    'jobs.retry': async ({ id, fileIdx }) => (await engine.retry(id, fileIdx), ok),
    'jobs.resolveConflict': async ({ id, fileIdx, policy, applyToAll }) => (await engine.resolveConflict(id, fileIdx, policy, applyToAll), ok),
    'jobs.remove': async ({ id }) => (await engine.remove(id), ok),
  };
}
