import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './exec';

/** Ferry's real CLI (the built bundle, `node bin/ferry.js`) with a private FERRY_HOME, as a user runs it. */
export class FerryCli {
  readonly bin: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(repo: string, readonly home: string) {
    this.bin = join(repo, 'bin', 'ferry.js');
    rmSync(home, { recursive: true, force: true });
    mkdirSync(home, { recursive: true });
    this.env = { ...process.env, FERRY_HOME: home };
  }

  /** A set-up command (profile add, trust); secrets go through stdin, never argv. */
  setup(args: string[], input?: string): string {
    return run(process.execPath, [this.bin, ...args], { env: this.env, input });
  }

  /** The measured command: `ferry copy SRC DST [-r] --transfers N` with verification left at its default (hash). */
  copy(src: string, dst: string, opts: { recursive: boolean; transfers: number }): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
    const args = [this.bin, 'copy', src, dst, '--transfers', String(opts.transfers)];
    if (opts.recursive) args.push('-r');
    return { cmd: process.execPath, args, env: this.env };
  }
}
