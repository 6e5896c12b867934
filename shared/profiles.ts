import { z } from 'zod';
import { CONNECTOR_TYPES } from './connectors';

/** Non-secret option values as saved in SQLite. Secrets never appear here. */
export const OptionValuesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type OptionValues = z.infer<typeof OptionValuesSchema>;

export const ProfileSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(CONNECTOR_TYPES),
  options: OptionValuesSchema,
  /** Names of secret options that have a value stored (in the keychain or, without one, in memory). */
  secretsSet: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Profile = z.infer<typeof ProfileSchema>;

export const ProfileNameSchema = z
  .string()
  .min(1, 'a profile needs a name')
  .max(100)
  .regex(/^[^:/\\\s][^:/\\]*$/, 'a profile name cannot contain ":", "/" or "\\" or start with a space');

export const ProfileInputSchema = z.object({
  name: ProfileNameSchema,
  type: z.enum(CONNECTOR_TYPES),
  options: OptionValuesSchema,
  /**
   * Secret values to store in the keychain. A key with null deletes that secret; a missing key keeps it.
   * These travel renderer → core once and are never sent back.
   */
  secrets: z.record(z.string(), z.string().nullable()).optional(),
});
export type ProfileInput = z.infer<typeof ProfileInputSchema>;

export const TestResultSchema = z.object({
  ok: z.boolean(),
  /** Steps in order: resolve, connect, verify host, authenticate, list. */
  steps: z.array(z.object({ step: z.string(), ok: z.boolean(), ms: z.number() })),
  error: z.unknown().optional(),
  /** A database's product and version ("PostgreSQL 15.14"). */
  server: z.string().optional(),
  /** A database's schemas (or databases) the user can see. */
  schemas: z.array(z.string()).optional(),
});
export type TestResult = z.infer<typeof TestResultSchema>;
