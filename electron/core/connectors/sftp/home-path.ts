import { homedir } from 'node:os';

// Its own module (not in connect.ts) so that the ssh-config import, which runs without connecting, does not load ssh2.

/** "~/x" → "$HOME/x", as OpenSSH reads paths in its config. */
export function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? homedir() + p.slice(1) : p;
}
