import { createRequire } from 'node:module';
import type Iconv from 'iconv-lite';

let loaded: typeof Iconv | undefined;

/**
 * iconv-lite, loaded the first time a CSV in a single-byte encoding (Windows-1252, Latin-1, ...) is read or
 * written: a UTF-8 or UTF-16 file never needs it, and loading it up front was about 5 ms of every command.
 */
export function iconv(): typeof Iconv {
  return (loaded ??= createRequire(import.meta.url)('iconv-lite') as typeof Iconv);
}
