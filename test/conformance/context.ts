import type { Capabilities } from '../../shared/connectors';
import type { Connector } from '../../electron/core/connectors/types';

export interface ConformanceTarget {
  /** A fresh connected connector. */
  connect(): Promise<Connector>;
  /** An existing folder (or "/bucket/prefix") the suite may fill; every check uses its own fresh subfolder. */
  root: string;
  /** The manifest's declared capabilities: the suite decides what to run (and skip) before connecting. */
  capabilities: Capabilities;
  /** Check name -> reason: reported as skipped with that reason. */
  exemptions?: Record<string, string>;
  /** The server's listing page size, if any: the suite lists more entries than that. */
  pageSize?: number;
}

/**
 * A declared requirement of a check: the capability's name (shown in the skipped test's title) and whether
 * the connector has it.
 */
export interface Requirement {
  capability: string;
  met: boolean;
}

/** What each group of checks gets from the suite. */
export interface SuiteContext {
  caps: Capabilities;
  target: ConformanceTarget;
  /** The connector connected in beforeAll. */
  c(): Connector;
  /** A new, empty, unique folder for one check (created). */
  fresh(label: string): Promise<string>;
  /** Registers one check: run, skipped for a missing capability, or skipped as exempt. */
  check(name: string, requires: Requirement | Requirement[] | null, fn: () => Promise<void>, timeoutMs?: number): void;
}

/** Requirement helper: `needs('rename', caps.rename)`. */
export function needs(capability: string, met: boolean): Requirement {
  return { capability, met };
}
