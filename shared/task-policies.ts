// A task's catch-up and overlap policies, without the schemas (shared/tasks.ts): what the CLI needs at start-up.

export const CATCH_UP_POLICIES = ['once', 'skip'] as const;
export const OVERLAP_POLICIES = ['skip', 'queue'] as const;
