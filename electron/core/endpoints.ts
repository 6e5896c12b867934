import type { Capabilities } from '../../shared/connectors';
import type { Connector } from './connectors/types';

export interface AcquireOptions {
  /**
   * The holder moves one small file: it may share a connector with other such holders, up to the
   * endpoint's capabilities.sharedTransfers, instead of taking a connection of its own.
   */
  share?: boolean;
}

/** A connector lent from an endpoint's pool; give it back with release (broken: close it, don't reuse). */
export interface Lease {
  connector: Connector;
  release(broken?: boolean): void;
}

/**
 * Where the core gets connectors: one pool per endpoint ("local" or a profile id), bounded by the
 * connector's capabilities.maxConnections (or the profile's own limit), so a server that caps connections
 * never sees more than it allows: browsing and transfers share the bound.
 */
export interface EndpointProvider {
  acquire(endpoint: string, signal?: AbortSignal, opts?: AcquireOptions): Promise<Lease>;
  /** A connector only when one is free or the bound allows another right now: null rather than a wait. */
  tryAcquire?(endpoint: string, signal?: AbortSignal): Promise<Lease | null>;
  /** The endpoint's declared capabilities (from its manifest, without connecting). */
  capabilities(endpoint: string): Capabilities;
  /** A human name for messages: "local" or the profile's name. */
  label(endpoint: string): string;
  /** A database endpoint (its manifest says `tables: true`): rows in and out, no files. */
  isDatabase?(endpoint: string): boolean;
}
