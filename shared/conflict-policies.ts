// The conflict policies, without the schemas (shared/transfers.ts documents each one): what the CLI needs at
// start-up.

export const CONFLICT_POLICIES = ['ask', 'overwrite', 'if-changed', 'skip', 'rename', 'resume'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];
