import type { FerryCore } from '../../electron/core/app';
import { JobSpecSchema, type JobSpecInput } from '../../shared/transfers';

/** Plans and starts a job through the core's API, as the app does (jobs.plan, then jobs.create); its id. */
export async function startJob(core: FerryCore, spec: JobSpecInput): Promise<string> {
  const plan = await core.handlers['jobs.plan'](JobSpecSchema.parse(spec));
  return (await core.handlers['jobs.create']({ planId: plan.id })).id;
}
