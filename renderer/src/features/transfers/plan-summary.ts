import type { Plan, PlanAction } from '../../../../shared/transfers';

export interface ActionTotal {
  action: PlanAction;
  files: number;
  bytes: number;
}

/** Files and bytes per action ("copy 12 files, 3.4 MB"), in a fixed order; actions with no items are left out. */
export function summarize(plan: Plan): ActionTotal[] {
  const order: PlanAction[] = ['copy', 'overwrite', 'resume', 'rename', 'delete', 'conflict', 'skip', 'mkdir'];
  const totals = new Map<PlanAction, ActionTotal>(order.map((a) => [a, { action: a, files: 0, bytes: 0 }]));
  for (const i of plan.items) {
    const t = totals.get(i.action)!;
    t.files++;
    t.bytes += i.size;
  }
  return order.map((a) => totals.get(a)!).filter((t) => t.files > 0);
}

export const ACTION_LABELS: Record<PlanAction, string> = {
  copy: 'Copy',
  overwrite: 'Overwrite',
  resume: 'Resume',
  rename: 'Copy as new name',
  skip: 'Unchanged, skip',
  delete: 'Delete at destination',
  mkdir: 'Create folder',
  conflict: 'Conflict (ask)',
};

export const ACTION_COLORS: Record<PlanAction, string> = {
  copy: 'blue',
  overwrite: 'orange',
  resume: 'cyan',
  rename: 'grape',
  skip: 'gray',
  delete: 'red',
  mkdir: 'teal',
  conflict: 'yellow',
};
