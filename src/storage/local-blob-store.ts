import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore, StoredBlob, WriteOptions } from './blob-store.js';
import { FileHasher } from './file-hasher.js';
import { FlushSlots } from './file-sink.js';
import { spoolUpload } from './spool-upload.js';

/** Blobs as files under one root folder; writes land in a temp file and are renamed into place. */
export class LocalBlobStore implements BlobStore {
  constructor(
    private readonly root: string,
    /** fsync each upload before acknowledging it (durable across a power loss; bench/upload measures what it costs). */
    private readonly fsync = true,
  ) {}

  private readonly flushSlots = new FlushSlots();
  private readonly hasher = new FileHasher();

  private pathOf(key: string): string {
    const resolved = path.resolve(this.root, key);
    if (!resolved.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`blob key escapes the store: ${key}`);
    return resolved;
  }

  async write(source: AsyncIterable<Buffer | Uint8Array>, options: WriteOptions): Promise<StoredBlob> {
    const tmpDir = path.join(this.root, '.incoming');
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, randomUUID());
    try {
      // Acknowledged uploads survive a power loss: the bytes are on disk before the workflow hears of them.
      const { sha256, bytes } = await spoolUpload(source, tmp, options, { hasher: this.hasher, flushSlots: this.fsync ? this.flushSlots : undefined });
      await options.verify?.(tmp);
      const key = options.keyFor(sha256);
      const target = this.pathOf(key);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(tmp, target);
      return { key, sha256, bytes };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async open(key: string): Promise<{ path: string; release: () => Promise<void> }> {
    const file = this.pathOf(key);
    await stat(file);
    return { path: file, release: async () => undefined };
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}
