import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { BlobStore, StoredBlob, WriteOptions } from './blob-store.js';
import { inspectingStream } from './inspecting-stream.js';
import { whenClosed } from './when-closed.js';

export interface S3Settings {
  bucket: string;
  /** Key prefix inside the bucket, e.g. "kyc/". */
  prefix: string;
  region: string;
  /** Any S3 API (MinIO, Ceph, R2, …); unset for AWS. */
  endpoint?: string;
  forcePathStyle: boolean;
  /** Local folder uploads are spooled to while they are checked. */
  spoolDir: string;
  /**
   * Server-side encryption of every object: `aws:kms` with `kmsKeyId` (a customer-managed key,
   * so access to media is also a KMS permission, and disabling the key makes them unreadable),
   * or `AES256` (S3-managed keys).
   */
  encryption: { mode: 'aws:kms'; kmsKeyId?: string } | { mode: 'AES256' };
}

/**
 * Blobs in S3-compatible object storage, so API and GPU workers can run on different machines.
 * An upload is spooled to local disk (hashed and size-limited on the way, checked as a file),
 * then sent with a multipart upload: memory stays bounded whatever the file size.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.client = new S3Client({ region: settings.region, endpoint: settings.endpoint, forcePathStyle: settings.forcePathStyle });
  }

  private objectKey(key: string): string {
    return `${this.settings.prefix}${key}`;
  }

  async write(source: AsyncIterable<Buffer | Uint8Array>, options: WriteOptions): Promise<StoredBlob> {
    await mkdir(this.settings.spoolDir, { recursive: true });
    const spool = path.join(this.settings.spoolDir, randomUUID());
    const inspect = inspectingStream(options);
    const sink = createWriteStream(spool, { flags: 'wx', highWaterMark: 1024 * 1024 });
    try {
      await pipeline(source, inspect.stream, sink);
      await options.verify?.(spool);
      const { sha256, bytes } = inspect.result();
      const key = options.keyFor(sha256);
      await new Upload({
        client: this.client,
        params: {
          Bucket: this.settings.bucket,
          Key: this.objectKey(key),
          Body: createReadStream(spool),
          ChecksumAlgorithm: 'SHA256',
          ServerSideEncryption: this.settings.encryption.mode,
          ...(this.settings.encryption.mode === 'aws:kms' && this.settings.encryption.kmsKeyId ? { SSEKMSKeyId: this.settings.encryption.kmsKeyId } : {}),
        },
        queueSize: 4,
        partSize: 8 * 1024 * 1024,
      }).done();
      return { key, sha256, bytes };
    } finally {
      await whenClosed(sink);
      await rm(spool, { force: true });
    }
  }

  /** Downloads the object to a temporary file; `release` deletes it. */
  async open(key: string): Promise<{ path: string; release: () => Promise<void> }> {
    const dir = await mkdtemp(path.join(tmpdir(), 'kyc-s3-'));
    const file = path.join(dir, 'blob');
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
      if (!object.Body) throw new Error(`object ${key} has no body`);
      await pipeline(object.Body as Readable, createWriteStream(file));
      return { path: file, release: () => rm(dir, { recursive: true, force: true }) };
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
  }

  async *list(): AsyncIterable<{ key: string; modifiedAt: Date }> {
    const pages = paginateListObjectsV2({ client: this.client }, { Bucket: this.settings.bucket, Prefix: this.settings.prefix });
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        if (object.Key) yield { key: object.Key.slice(this.settings.prefix.length), modifiedAt: object.LastModified ?? new Date(0) };
      }
    }
  }
}
