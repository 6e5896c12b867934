import { HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { Entry } from '../../../../shared/connectors';
import { basename } from '../../../../shared/paths';
import { FerryError } from '../../errors';
import type { Logger } from '../types';
import { cleanEtag, etagIsContentMd5, isPlainMd5, md5FromMetadata } from './checksums';
import { fromS3Error, isNotFound } from './errors';
import { anyUnder } from './list';
import { parseMtime, MTIME_KEY } from './mtime';
import type { S3Config } from './options';
import { folderPrefix, locate, type Location } from './paths';

/** What every S3 operation needs: the client, the resolved options, and how to report failures. */
export class S3Session {
  constructor(
    readonly client: S3Client,
    readonly cfg: S3Config,
    /** The endpoint's host, for messages. */
    readonly host: string,
    /** Secret values to scrub from any server text put into a message. */
    private readonly secrets: string[],
    readonly log: Logger,
  ) {}

  locate(path: string): Location {
    return locate(path, this.cfg.bucket);
  }

  /** Any failure as a FerryError naming the path. */
  fail(e: unknown, path?: string): FerryError {
    return fromS3Error(e, { path, host: this.host }, this.secrets);
  }

  /** The object's HEAD answer, or null when no object has this key. */
  async head(bucket: string, key: string, path: string): Promise<HeadObjectCommandOutput | null> {
    try {
      return await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (e) {
      // A HEAD on a missing bucket also answers 404; listing below tells the two apart when it matters.
      if (isNotFound(e)) return null;
      throw this.fail(e, path);
    }
  }

  /** True when a folder marker or any key lies under the folder at `key`. */
  async folderExists(bucket: string, key: string, path: string, signal?: AbortSignal): Promise<boolean> {
    try {
      return await anyUnder(this.client, bucket, folderPrefix(key), this.cfg.listVersion, signal);
    } catch (e) {
      throw this.fail(e, path);
    }
  }

  /** NOT_FOUND, or IS_A_DIRECTORY when a folder has this name (for operations that need a file). */
  async missingFile(bucket: string, key: string, path: string): Promise<FerryError> {
    if (await this.folderExists(bucket, key, path)) return new FerryError('IS_A_DIRECTORY', `Is a folder: ${path}`, { detail: { path } });
    return new FerryError('NOT_FOUND', `Not found: ${path}`, { detail: { path } });
  }
}

/** A file entry from a HEAD answer: the stored source mtime when Ferry or rclone kept one, else the upload time. */
export function fileEntry(path: string, h: HeadObjectCommandOutput): Entry {
  const md5 = md5Of(h);
  const modified = parseMtime(h.Metadata?.[MTIME_KEY]) ?? h.LastModified ?? null;
  return {
    name: basename(path),
    path,
    type: 'file',
    size: h.ContentLength ?? 0,
    modified: modified ? modified.toISOString() : null,
    ...(md5 ? { hashes: { md5 } } : {}),
  };
}

/** The content MD5 S3 can vouch for: a plain ETag, or the MD5 rclone stored for a multipart upload. */
export function md5Of(h: HeadObjectCommandOutput): string | null {
  const etag = cleanEtag(h.ETag);
  if (isPlainMd5(etag) && etagIsContentMd5(h.ServerSideEncryption, h.SSECustomerAlgorithm)) return etag!;
  return md5FromMetadata(h.Metadata);
}

export function dirEntry(path: string, modified: Date | null = null): Entry {
  return { name: basename(path), path, type: 'dir', size: 0, modified: modified ? modified.toISOString() : null };
}
