import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { BlobTooLargeError, EmptyBlobError, type BlobStore, type StoredBlob, type WriteOptions } from './blob-store.js';

const HEAD_BYTES = 64;

/** Blobs as files under one root folder; writes land in a temp file and are renamed into place. */
export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    const resolved = path.resolve(this.root, key);
    if (!resolved.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`blob key escapes the store: ${key}`);
    return resolved;
  }

  async write(source: AsyncIterable<Buffer | Uint8Array>, options: WriteOptions): Promise<StoredBlob> {
    const tmpDir = path.join(this.root, '.incoming');
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, randomUUID());
    const file = await open(tmp, 'wx');
    const hash = createHash('sha256');
    let bytes = 0;
    let head: Buffer | undefined = Buffer.alloc(0);
    try {
      for await (const chunk of source) {
        bytes += chunk.length;
        if (bytes > options.maxBytes) throw new BlobTooLargeError(options.maxBytes);
        if (head) {
          head = Buffer.concat([head, chunk]);
          if (head.length >= HEAD_BYTES) {
            options.checkHead?.(head);
            head = undefined;
          }
        }
        hash.update(chunk);
        await file.write(chunk);
      }
      if (bytes === 0) throw new EmptyBlobError();
      if (head) options.checkHead?.(head);
      await file.sync();
      await file.close();
      await options.verify?.(tmp);
      const sha256 = hash.digest('hex');
      const key = options.keyFor(sha256);
      const target = this.pathOf(key);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(tmp, target);
      return { key, sha256, bytes };
    } catch (err) {
      await file.close().catch(() => undefined);
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
