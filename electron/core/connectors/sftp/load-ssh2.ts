import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Ssh2 from 'ssh2';

/** Bytes drawn from the CSPRNG at once for ssh2's small draws (see loadSsh2). */
const POOL_BYTES = 64 * 1024;
/** Draws larger than this go to randomFillSync itself: the pool is for padding (4-255 bytes) and cookies (16). */
const POOLED_MAX = 256;

/**
 * A randomFillSync for small draws: bytes from a pool the real randomFillSync fills 64 KiB at a time, each
 * handed out once and then overwritten, so they are the CSPRNG's bytes as before, never repeated.
 */
export function pooledRandomFill(real: typeof crypto.randomFillSync): typeof crypto.randomFillSync {
  const pool = Buffer.alloc(POOL_BYTES);
  let at = POOL_BYTES;
  const fill = (buf: NodeJS.ArrayBufferView, offset?: number, size?: number) => {
    // Anything but a plainly valid, small range of a Buffer goes to the real one (which throws the usual
    // errors for a bad range).
    if (!Buffer.isBuffer(buf) || !isCount(offset) || !isCount(size) || size > POOLED_MAX || offset + size > buf.length) {
      return real(buf, offset, size);
    }
    if (at + size > POOL_BYTES) {
      real(pool);
      at = 0;
    }
    pool.copy(buf, offset, at, at + size);
    pool.fill(0, at, at + size);
    at += size;
    return buf;
  };
  return fill as typeof crypto.randomFillSync;
}

const isCount = (n: number | undefined): n is number => Number.isInteger(n) && (n as number) >= 0;

let loaded: typeof Ssh2 | undefined;

/**
 * ssh2, loaded with a pooled randomFillSync. ssh2 pads every packet it sends with random bytes through
 * crypto.randomFillSync, one call per packet: about 8.5 µs each on Node 20 (argument checks and a job object
 * around a few bytes of RAND_bytes), and SFTP sends 32,768 packets per GiB (279 ms of a 1 GiB download's main
 * thread; OpenSSH draws its padding from a buffered arc4random). ssh2 takes randomFillSync from the crypto
 * module as it loads, so only for that moment the module's export is the pooled one; it is put back at once,
 * and nothing else in the process sees it. Where ssh2 was loaded already (by another module), it keeps the
 * real one: slower, never wrong.
 */
export function loadSsh2(): typeof Ssh2 {
  if (loaded) return loaded;
  const real = crypto.randomFillSync;
  crypto.randomFillSync = pooledRandomFill(real);
  try {
    loaded = createRequire(import.meta.url)('ssh2') as typeof Ssh2;
  } finally {
    crypto.randomFillSync = real;
  }
  return loaded;
}
