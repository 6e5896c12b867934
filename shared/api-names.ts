/**
 * The API surface by name only, without zod, for the preload (which must stay tiny). A test checks these
 * lists equal the contract in api.ts, so the bridge and the handlers cannot drift apart.
 */
export const API_METHODS = [
  'app.info',
  'connectors.list',
  'profiles.list',
  'profiles.get',
  'profiles.create',
  'profiles.update',
  'profiles.duplicate',
  'profiles.remove',
  'profiles.test',
  'profiles.importSshConfig',
  'secrets.provide',
  'trust.accept',
  'trust.list',
  'trust.remove',
  'fs.home',
  'fs.list',
  'fs.stat',
  'fs.mkdir',
  'fs.remove',
  'fs.rename',
  'table.describe',
  'jobs.plan',
  'jobs.create',
  'jobs.list',
  'jobs.get',
  'jobs.pause',
  'jobs.resume',
  'jobs.cancel',
  'jobs.retry',
  'jobs.resolveConflict',
  'jobs.remove',
  'tasks.list',
  'tasks.get',
  'tasks.save',
  'tasks.remove',
  'tasks.enable',
  'tasks.run',
  'tasks.history',
  'tasks.preview',
  'table.preview',
  'table.loadPlan',
] as const;

export const API_EVENTS = ['jobs.progress', 'jobs.changed', 'tasks.changed', 'tasks.runEnded'] as const;

export const IPC_CALL = 'ferry:call';
export const IPC_EVENT = 'ferry:event';
