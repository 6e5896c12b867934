import { parquetMetadata, type FileMetaData } from 'hyparquet';
import { FerryError } from '../../errors';
import type { ByteSource } from '../types';
import { SourceBuffer, unwrapSource } from './async-buffer';
import { RAW_PARSERS } from './schema-in';

/**
 * The footer: `... <metadata> <4-byte length> PAR1`. One read of the file's last FOOTER_READ bytes holds it
 * in almost every file (a wide file's footer can be larger: then one more read for the rest). Everything a
 * preview shows before any row (schema, row count, row groups) comes from here.
 */
export const FOOTER_READ = 64 * 1024;
const MAGIC = 'PAR1';
const ENCRYPTED_MAGIC = 'PARE';

export async function readFooter(buf: SourceBuffer): Promise<FileMetaData> {
  const src = buf.src;
  const size = src.size;
  if (size === 0) throw invalid(src, `${src.label} is empty (0 bytes), not a Parquet file`);
  const tailStart = Math.max(0, size - FOOTER_READ);
  const tail = await unwrapSource(buf.read(tailStart, size));
  buf.keepTail(tailStart, tail);
  const last4 = latin1(tail.subarray(tail.length - 4));
  if (last4 === ENCRYPTED_MAGIC) {
    throw new FerryError('UNSUPPORTED', `${src.label} is an encrypted Parquet file; Ferry cannot read encrypted Parquet (decrypt it with the tool that wrote it)`, {
      detail: { file: src.label },
    });
  }
  if (size < 12 || last4 !== MAGIC) {
    // Only on this error path: look at the start to tell a cut-short Parquet file from some other file.
    const head = tailStart === 0 ? tail.subarray(0, 16) : await unwrapSource(buf.read(0, 16));
    if (latin1(head.subarray(0, 4)) !== MAGIC) {
      throw invalid(src, `${src.label} is not a Parquet file (starts with ${describeBytes(head)})`);
    }
    throw incomplete(src, size < 12 ? `it is only ${size} bytes long` : 'the footer is missing (the file does not end with PAR1; was it cut short?)');
  }
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  const metadataLength = view.getUint32(tail.length - 8, true);
  if (metadataLength + 12 > size) {
    throw incomplete(src, `the footer says its metadata is ${metadataLength} bytes but the file is only ${size} bytes`);
  }
  let footer = tail;
  if (metadataLength + 8 > tail.length) {
    // A footer larger than the first read: fetch the part before it.
    const start = size - metadataLength - 8;
    const rest = await unwrapSource(buf.read(start, tailStart));
    footer = new Uint8Array(metadataLength + 8);
    footer.set(rest);
    footer.set(tail, rest.length);
  }
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(footer, { parsers: RAW_PARSERS, geoparquet: false });
  } catch (e) {
    throw incomplete(src, `its footer metadata cannot be decoded (${errorText(e)})`);
  }
  checkChunksInside(src, metadata, size - metadataLength - 8);
  return metadata;
}

/** Every column chunk must lie between the header and the footer; else the file was cut or patched. */
function checkChunksInside(src: ByteSource, md: FileMetaData, dataEnd: number): void {
  md.row_groups.forEach((rg, g) => {
    for (const chunk of rg.columns) {
      const meta = chunk.meta_data;
      const name = meta?.path_in_schema.join('.') ?? '?';
      if (!meta) throw incomplete(src, `row group ${g + 1}, column '${name}' has no metadata`);
      if (chunk.file_path) {
        throw new FerryError('UNSUPPORTED', `${src.label}: row group ${g + 1} keeps its data in another file (${chunk.file_path}); Ferry reads single-file Parquet only`, {
          detail: { file: src.label },
        });
      }
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const end = start + Number(meta.total_compressed_size);
      if (start < 4 || end > dataEnd) {
        throw incomplete(src, `row group ${g + 1}, column '${name}' lies at bytes ${start}-${end}, outside the file's data (4-${dataEnd})`);
      }
    }
  });
}

function invalid(src: ByteSource, message: string): FerryError {
  return new FerryError('INVALID_INPUT', message, { detail: { file: src.label } });
}

function incomplete(src: ByteSource, what: string): FerryError {
  return invalid(src, `${src.label} is not a complete Parquet file: ${what}`);
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** `"id,name,amo…"` for text, hex for binary: enough for the user to recognise what the file really is. */
function describeBytes(b: Uint8Array): string {
  const printable = b.every((c) => (c >= 32 && c < 127) || c === 9 || c === 10 || c === 13);
  if (printable) return JSON.stringify(latin1(b));
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex').replace(/(..)/g, '$1 ').trim();
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
