import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** The data every tool moves: one large file and one folder of many small ones. */
export const BIG_NAME = 'big.bin';
export const SMALL_DIR = 'small';
export const BIG_SIZE = 1024 ** 3;
export const SMALL_COUNT = 2000;
export const SMALL_SIZE = 16 * 1024;

export interface FileFact {
  size: number;
  md5: string;
}

export interface Manifest {
  big: FileFact;
  /** File name in SMALL_DIR → facts. */
  small: Record<string, FileFact>;
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/**
 * Incompressible, reproducible bytes: the AES-128-CTR keystream of a fixed key (what encrypting zeros gives),
 * so no tool or protocol layer can win by compressing, and a re-created data set is identical.
 */
function keystream(label: string) {
  const key = createHash('sha256').update(`ferry-bench-${label}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return (n: number) => cipher.update(Buffer.alloc(n));
}

/** Creates `dir/big.bin` and `dir/small/*` unless a complete set is there already; returns their manifest. */
export function ensureData(dir: string, log: (s: string) => void): Manifest {
  const manifestFile = join(dir, 'manifest.json');
  if (existsSync(manifestFile)) {
    const m = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    const bigOk = existsSync(join(dir, BIG_NAME)) && statSync(join(dir, BIG_NAME)).size === m.big.size && m.big.size === BIG_SIZE;
    const names = existsSync(join(dir, SMALL_DIR)) ? readdirSync(join(dir, SMALL_DIR)) : [];
    const smallOk = names.length === SMALL_COUNT && names.every((n) => m.small[n] && statSync(join(dir, SMALL_DIR, n)).size === m.small[n].size);
    if (bigOk && smallOk) return m;
  }
  log(`Creating the data set in ${dir} (1 GiB + ${SMALL_COUNT} x 16 KiB)...`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, SMALL_DIR), { recursive: true });

  const bigStream = keystream('big');
  const hash = createHash('md5');
  const fd = openSync(join(dir, BIG_NAME), 'w', 0o644);
  const chunk = 8 << 20;
  for (let done = 0; done < BIG_SIZE; done += chunk) {
    const b = bigStream(Math.min(chunk, BIG_SIZE - done));
    hash.update(b);
    writeSync(fd, b);
  }
  closeSync(fd);

  const smallStream = keystream('small');
  const small: Record<string, FileFact> = {};
  for (let i = 0; i < SMALL_COUNT; i++) {
    const name = `f${String(i).padStart(4, '0')}.bin`;
    const b = smallStream(SMALL_SIZE);
    writeFileSync(join(dir, SMALL_DIR, name), b, { mode: 0o644 });
    small[name] = { size: b.length, md5: md5(b) };
  }
  const m: Manifest = { big: { size: BIG_SIZE, md5: hash.digest('hex') }, small };
  writeFileSync(manifestFile, JSON.stringify(m));
  return m;
}

async function md5File(path: string): Promise<string> {
  const h = createHash('md5');
  for await (const c of createReadStream(path, { highWaterMark: 4 << 20 })) h.update(c as Buffer);
  return h.digest('hex');
}

/**
 * Checks what arrived in a local folder against the manifest: `dir/big.bin`, or exactly the files of
 * `dir/small/` with their sizes and MD5s (the big file's MD5 only when `full`). Returns a problem in words, or
 * null when everything matches.
 */
export async function verifyLocal(dir: string, what: 'big' | 'small', m: Manifest, full = true): Promise<string | null> {
  if (what === 'big') {
    const p = join(dir, BIG_NAME);
    if (!existsSync(p)) return `${p} is missing`;
    const size = statSync(p).size;
    if (size !== m.big.size) return `${p} has ${size} bytes, expected ${m.big.size}`;
    if (full && (await md5File(p)) !== m.big.md5) return `${p} has the right size but different content (MD5 mismatch)`;
    return null;
  }
  return compareListing(
    dir,
    Object.fromEntries(
      (existsSync(join(dir, SMALL_DIR)) ? readdirSync(join(dir, SMALL_DIR)) : []).map((n) => {
        const b = readFileSync(join(dir, SMALL_DIR, n));
        return [n, { size: b.length, md5: md5(b) }];
      }),
    ),
    m,
  );
}

/** Compares a listing of `small/` (name → size and MD5, an MD5 of '' meaning "not known") with the manifest. */
export function compareListing(where: string, got: Record<string, FileFact>, m: Manifest): string | null {
  const want = Object.keys(m.small);
  const missing = want.filter((n) => !got[n]);
  if (missing.length) return `${where}/${SMALL_DIR}: ${missing.length} of ${want.length} files missing (e.g. ${missing[0]})`;
  const extra = Object.keys(got).filter((n) => !m.small[n]);
  if (extra.length) return `${where}/${SMALL_DIR}: ${extra.length} unexpected files (e.g. ${extra[0]})`;
  for (const n of want) {
    if (got[n].size !== m.small[n].size) return `${where}/${SMALL_DIR}/${n} has ${got[n].size} bytes, expected ${m.small[n].size}`;
    if (got[n].md5 && got[n].md5 !== m.small[n].md5) return `${where}/${SMALL_DIR}/${n}: MD5 mismatch`;
  }
  return null;
}
