import path from 'node:path';
import type { AppConfig } from '../config/config.js';
import type { BlobStore } from './blob-store.js';
import { LocalBlobStore } from './local-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';

/** The configured blob store: the local filesystem by default, S3-compatible storage with BLOB_STORE=s3. */
export function createBlobStore(config: AppConfig): BlobStore {
  const storage = config.storage;
  if (storage.kind === 's3') {
    return new S3BlobStore({ ...storage.s3, spoolDir: path.join(config.dataDir, 'spool') });
  }
  return new LocalBlobStore(config.blobDir, config.blobFsync);
}
