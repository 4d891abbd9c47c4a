import type { AppConfig } from '../config/config.js';
import type { BlobStore } from './blob-store.js';
import { LocalBlobStore } from './local-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';

/** The configured blob store: the local filesystem by default, S3-compatible storage with BLOB_STORE=s3. */
export function createBlobStore(storage: AppConfig['storage']): BlobStore {
  if (storage.kind === 's3') return new S3BlobStore({ ...storage.s3, spoolDir: storage.spoolDir });
  return new LocalBlobStore(storage.blobDir, storage.fsync);
}
