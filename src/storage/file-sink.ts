import { close, fdatasync, fsync, open, writev } from 'node:fs';
import { Writable } from 'node:stream';

/** How many bytes are written between two background flushes of one file. */
export const FLUSH_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * Caps the background flushes running at once. Each holds one of libuv's 4 file-system threads
 * until the disk is done; two leave the other two for the writes themselves.
 */
export class FlushSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max = 2) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    while (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

export interface FileSinkOptions {
  /** Told after each completed write how many bytes the file now holds. */
  onWritten?: (bytes: number) => void;
  /**
   * Makes the file durable before the stream finishes: flushed in the background every
   * FLUSH_EVERY_BYTES while it arrives, then fsynced at the end.
   */
  durable?: {
    slots: FlushSlots;
    /** How a background flush reaches the disk; fdatasync unless a test watches it. */
    datasync?: (fd: number) => Promise<void>;
  };
}

const datasyncFd = (fd: number) => new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));

/**
 * A new file (refused if it exists) as a writable stream. Unlike fs.WriteStream it says when
 * bytes have reached the file, and, when durable, asks the disk to persist the file while it is
 * still arriving: with one fsync at the end, 16 uploads finishing together each flushed 100 MB
 * after their last byte, and the CPU sat idle meanwhile (bench/upload, 100 MB videos at c=16:
 * 0.66–0.76 of the baseline before, 0.79–0.89 after).
 */
export class FileSink extends Writable {
  private fd: number | undefined;
  private written = 0;
  private sinceFlush = 0;
  private flushing: Promise<void> | undefined;
  // Kept, not thrown once: Linux reports a writeback error to an fd once, so the final fsync
  // could succeed after a background flush had failed.
  private flushFailure: Error | undefined;

  constructor(
    private readonly file: string,
    private readonly options: FileSinkOptions = {},
  ) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _construct(callback: (err?: Error | null) => void): void {
    open(this.file, 'wx', (err, fd) => {
      this.fd = fd;
      callback(err);
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.writeAll([chunk], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (err?: Error | null) => void): void {
    this.writeAll(
      chunks.map((c) => c.chunk),
      callback,
    );
  }

  override _final(callback: (err?: Error | null) => void): void {
    void this.flushed().then(() => {
      if (this.flushFailure) return callback(this.flushFailure);
      if (!this.options.durable) return callback();
      fsync(this.fd!, (err) => callback(err));
    });
  }

  override _destroy(error: Error | null, callback: (err?: Error | null) => void): void {
    // A running flush must finish before the fd is closed and can be reused by another file.
    void this.flushed().then(() => {
      const fd = this.fd;
      this.fd = undefined;
      if (fd === undefined) return callback(error);
      close(fd, (closeErr) => callback(error ?? closeErr));
    });
  }

  private writeAll(buffers: Buffer[], callback: (err?: Error | null) => void): void {
    if (this.flushFailure) return callback(this.flushFailure);
    writev(this.fd!, buffers, this.written, (err, bytes) => {
      if (err) return callback(err);
      this.written += bytes;
      this.options.onWritten?.(this.written);
      this.flushInBackground(bytes);
      const rest = remainder(buffers, bytes);
      if (rest.length > 0) return this.writeAll(rest, callback);
      callback();
    });
  }

  private flushInBackground(bytes: number): void {
    const durable = this.options.durable;
    if (!durable) return;
    this.sinceFlush += bytes;
    if (this.sinceFlush < FLUSH_EVERY_BYTES || this.flushing) return;
    this.sinceFlush = 0;
    const datasync = durable.datasync ?? datasyncFd;
    const fd = this.fd!;
    this.flushing = durable.slots
      .run(() => datasync(fd))
      .then(
        () => undefined,
        (err: unknown) => {
          this.flushFailure ??= err as Error;
        },
      )
      .finally(() => {
        this.flushing = undefined;
      });
  }

  private flushed(): Promise<void> {
    return this.flushing ?? Promise.resolve();
  }
}

/** What is left of `buffers` after the first `written` bytes (a short write). */
function remainder(buffers: Buffer[], written: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const buffer of buffers) {
    if (written >= buffer.length) {
      written -= buffer.length;
      continue;
    }
    rest.push(written > 0 ? buffer.subarray(written) : buffer);
    written = 0;
  }
  return rest;
}
