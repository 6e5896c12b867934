/**
 * S3-compatible services as presets of the one S3 connector (like rclone's backend/s3/providers.go): each
 * fills the defaults a user would otherwise have to know. Values the user sets on the profile always win.
 */
export const PROVIDERS = ['aws', 'minio', 'wasabi', 'r2', 'ceph', 'b2', 'other'] as const;
export type Provider = (typeof PROVIDERS)[number];

export interface ProviderPreset {
  label: string;
  /** Bucket in the URL path (https://host/bucket/key) instead of the host name (https://bucket.host/key). */
  pathStyle: boolean;
  /** Region when none is set. */
  region: string;
  /** The endpoint for a region, or null when the SDK knows it (AWS) or the user must give it. */
  endpointFor: ((region: string) => string) | null;
  endpointRequired: boolean;
  /** Shown as the endpoint field's placeholder. */
  endpointHint: string;
  /**
   * A listing's plain (not "-N") ETag is the object's MD5, so list() can report it and a transfer needs no HEAD
   * per file to verify. Not on AWS and MinIO: with SSE-KMS (or MinIO's encryption) the ETag looks like an MD5
   * but is not one, and a listing does not say how an object is encrypted.
   */
  listingEtagIsMd5: boolean;
}

export const PRESETS: Record<Provider, ProviderPreset> = {
  aws: {
    label: 'Amazon S3',
    pathStyle: false,
    region: 'us-east-1',
    endpointFor: null,
    endpointRequired: false,
    endpointHint: 'leave empty for AWS',
    listingEtagIsMd5: false,
  },
  minio: {
    label: 'MinIO',
    pathStyle: true,
    region: 'us-east-1',
    endpointFor: null,
    endpointRequired: true,
    endpointHint: 'http://minio.example.com:9000',
    listingEtagIsMd5: false,
  },
  wasabi: {
    label: 'Wasabi',
    pathStyle: false,
    region: 'us-east-1',
    endpointFor: (region) => `https://s3.${region}.wasabisys.com`,
    endpointRequired: false,
    endpointHint: 'https://s3.REGION.wasabisys.com',
    listingEtagIsMd5: true,
  },
  r2: {
    label: 'Cloudflare R2',
    pathStyle: true,
    region: 'auto',
    endpointFor: null,
    endpointRequired: true,
    endpointHint: 'https://ACCOUNT_ID.r2.cloudflarestorage.com',
    listingEtagIsMd5: true,
  },
  ceph: {
    label: 'Ceph RGW',
    pathStyle: true,
    region: 'us-east-1',
    endpointFor: null,
    endpointRequired: true,
    endpointHint: 'https://rgw.example.com',
    listingEtagIsMd5: true,
  },
  b2: {
    label: 'Backblaze B2',
    pathStyle: false,
    region: 'us-west-004',
    endpointFor: (region) => `https://s3.${region}.backblazeb2.com`,
    endpointRequired: false,
    endpointHint: 'https://s3.REGION.backblazeb2.com',
    listingEtagIsMd5: true,
  },
  other: {
    label: 'Other S3-compatible',
    pathStyle: true,
    region: 'us-east-1',
    endpointFor: null,
    endpointRequired: true,
    endpointHint: 'https://s3.example.com',
    listingEtagIsMd5: true,
  },
};
