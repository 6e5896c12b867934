import type { Duplex } from 'node:stream';
import type { OptionSpec } from '../../../shared/connectors';
import type { ConnectContext, SshTunnel } from '../connectors/types';
import { FerryError } from '../errors';

/**
 * The profile option a network database declares to be reachable through an SSH tunnel: its connect then
 * calls `ctx.sshTunnel(options.sshTunnel)` and connects over `forward(host, port)`.
 */
export const SSH_TUNNEL_OPTION: OptionSpec = {
  name: 'sshTunnel',
  label: 'SSH tunnel (SFTP profile)',
  kind: 'string',
  advanced: true,
  placeholder: 'bastion',
  help: "Connect through this SFTP profile's SSH connection (its host key trust and credentials); host and port are then as the SSH server sees them.",
};

/** One open SSH connection that forwards channels; `closed` resolves when it is gone. */
export interface SshForwarder {
  forward(host: string, port: number): Promise<Duplex>;
  readonly alive: boolean;
  close(): Promise<void>;
}

interface Entry {
  opening: Promise<SshForwarder>;
  leases: number;
}

/**
 * The SSH tunnels of one process, one SSH connection per SFTP profile, shared by every database connection
 * that goes through it and closed when the last of them is released (so the tunnel lives exactly as long
 * as the connections that use it). A connection that died is replaced at the next acquire. No ssh2 here:
 * `open` (electron/core/databases/ssh-forwarder.ts) loads it when a tunnel is first needed.
 */
export class SshTunnels {
  private readonly entries = new Map<string, Entry>();

  constructor(
    /** The SFTP profile's connect context (its secrets, trust), or NOT_FOUND / INVALID_INPUT naming it. */
    private readonly contextFor: (profile: string) => ConnectContext,
    private readonly open: (ctx: ConnectContext) => Promise<SshForwarder> = async (ctx) => (await import('./ssh-forwarder')).openForwarder(ctx),
  ) {}

  async acquire(profile: string, signal?: AbortSignal): Promise<SshTunnel> {
    const ctx = this.contextFor(profile);
    const key = ctx.profile.id;
    let entry = this.entries.get(key);
    if (entry && !(await entry.opening.then((f) => f.alive, () => false))) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      entry = undefined;
    }
    if (!entry) {
      entry = { opening: this.open({ ...ctx, signal }), leases: 0 };
      this.entries.set(key, entry);
      entry.opening.catch(() => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      });
    }
    entry.leases++;
    let forwarder: SshForwarder;
    try {
      forwarder = await entry.opening;
    } catch (e) {
      entry.leases--;
      throw e;
    }
    const held = entry;
    let released = false;
    return {
      forward: (host, port) => {
        if (released) return Promise.reject(new FerryError('INTERNAL', 'This SSH tunnel lease was released'));
        return forwarder.forward(host, port);
      },
      release: () => {
        if (released) return;
        released = true;
        if (--held.leases > 0) return;
        if (this.entries.get(key) === held) this.entries.delete(key);
        forwarder.close().catch(() => {});
      },
    };
  }

  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.opening.then((f) => f.close(), () => {})));
  }
}
