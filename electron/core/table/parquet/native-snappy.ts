import type { Compressors } from 'hyparquet';
import { compressors as jsCompressors } from 'hyparquet-compressors';

/**
 * snappy through the snappy package (napi-rs: Google's C++ snappy, prebuilt, Node-API so the same binary
 * serves Node and Electron), for writing and reading Parquet: about 6 times faster than the JavaScript
 * snappy of hyparquet-writer (a seventh of a CSV → Parquet conversion) and faster than hyparquet-compressors'
 * (a twentieth of Parquet → CSV). Where its binary cannot load, null: the JavaScript ones are used.
 */
export interface NativeSnappy {
  compress(input: Uint8Array): Uint8Array;
  uncompress(input: Uint8Array): Uint8Array;
}

let loaded: Promise<NativeSnappy | null> | undefined;

export function nativeSnappy(): Promise<NativeSnappy | null> {
  loaded ??= import('snappy').then(
    (m): NativeSnappy => ({
      compress: (input) => m.compressSync(view(input)),
      uncompress: (input) => m.uncompressSync(view(input)) as Buffer,
    }),
    () => null,
  );
  return loaded;
}

/** The decompressors the Parquet reader hands hyparquet: hyparquet-compressors', snappy native where it loads. */
export async function readCompressors(): Promise<Compressors> {
  const native = await nativeSnappy();
  if (!native) return jsCompressors;
  return {
    ...jsCompressors,
    SNAPPY: (input: Uint8Array, outputLength: number) => {
      const out = native.uncompress(input);
      if (out.length !== outputLength) throw new Error(`snappy page is ${out.length} bytes uncompressed where its header says ${outputLength}`);
      return out;
    },
  };
}

function view(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
