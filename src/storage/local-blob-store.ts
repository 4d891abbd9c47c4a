import { randomUUID } from 'node:crypto';
import { createWriteStream, fdatasync, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobStore, StoredBlob, WriteOptions } from './blob-store.js';
import { FlushSlots, flushWhileWriting } from './early-flush.js';
import { inspectingStream } from './inspecting-stream.js';
import { whenClosed } from './when-closed.js';

/** Blobs as files under one root folder; writes land in a temp file and are renamed into place. */
export class LocalBlobStore implements BlobStore {
  constructor(
    private readonly root: string,
    /** fsync each upload before acknowledging it (durable across a power loss; bench/upload measures what it costs). */
    private readonly fsync = true,
  ) {}

  private readonly flushSlots = new FlushSlots();

  private pathOf(key: string): string {
    const resolved = path.resolve(this.root, key);
    if (!resolved.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`blob key escapes the store: ${key}`);
    return resolved;
  }

  async write(source: AsyncIterable<Buffer | Uint8Array>, options: WriteOptions): Promise<StoredBlob> {
    const tmpDir = path.join(this.root, '.incoming');
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, randomUUID());
    const inspect = inspectingStream(options);
    const sink = createWriteStream(tmp, { flags: 'wx', highWaterMark: 1024 * 1024 });
    try {
      // One pipeline, so hashing, the size limit and the disk write overlap with the network.
      if (this.fsync) await pipeline(source, inspect.stream, flushWhileWriting(datasyncOf(sink), this.flushSlots), sink);
      else await pipeline(source, inspect.stream, sink);
      // Acknowledged uploads survive a power loss: the bytes are on disk before the workflow hears of them.
      if (this.fsync) {
        const handle = await open(tmp, 'r+');
        await handle.sync().finally(() => handle.close());
      }
      await options.verify?.(tmp);
      const { sha256, bytes } = inspect.result();
      const key = options.keyFor(sha256);
      const target = this.pathOf(key);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(tmp, target);
      return { key, sha256, bytes };
    } catch (err) {
      await whenClosed(sink);
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

  /** Files under the root, `.incoming/` (writes a crash left behind) included, keyed by relative path. */
  async *list(): AsyncIterable<{ key: string; modifiedAt: Date }> {
    const entries = await readdir(this.root, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      const info = await stat(file).catch(() => undefined);
      if (info) yield { key: path.relative(this.root, file).split(path.sep).join('/'), modifiedAt: info.mtime };
    }
  }
}

/**
 * fdatasync of the stream's file while it is open, a no-op before and after: a flush still
 * waiting for its slot when a failed upload closes the file must not sync whatever reuses the fd.
 */
function datasyncOf(stream: WriteStream): () => Promise<void> {
  let fd: number | undefined;
  stream.once('open', (opened: number) => (fd = opened));
  stream.once('close', () => (fd = undefined));
  return () =>
    new Promise((resolve, reject) => {
      if (fd === undefined) return resolve();
      fdatasync(fd, (err) => (err ? reject(err) : resolve()));
    });
}
