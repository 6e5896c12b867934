// The conflict policies, without the schemas: what the CLI needs at start-up (shared/transfers.ts re-exports them).

/**
 * What to do when the destination already has a file of that name.
 * - ask: stop that file and ask (UI dialog with "apply to all"; the CLI treats it as a usage error)
 * - overwrite: always replace
 * - if-changed: replace when the source is newer or its size differs, else skip
 * - skip: keep the destination
 * - rename: write the new file as "name (1).ext"
 * - resume: continue a partial file where it stopped (falls back to overwrite when it cannot)
 */
export const CONFLICT_POLICIES = ['ask', 'overwrite', 'if-changed', 'skip', 'rename', 'resume'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];
