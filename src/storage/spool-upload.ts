import { pipeline } from 'node:stream/promises';
import type { WriteOptions } from './blob-store.js';
import type { FileHasher } from './file-hasher.js';
import { FileSink, type FlushSlots } from './file-sink.js';
import { inspectingStream } from './inspecting-stream.js';

/**
 * Streams an upload into a new local file: size-limited and head-checked on the way, hashed by
 * `hasher` just behind the writes, and made durable when `flushSlots` is given. On failure the
 * caller removes `file`.
 */
export async function spoolUpload(
  source: AsyncIterable<Buffer | Uint8Array>,
  file: string,
  options: Pick<WriteOptions, 'maxBytes' | 'checkHead'>,
  tools: { hasher: FileHasher; flushSlots?: FlushSlots },
): Promise<{ sha256: string; bytes: number }> {
  const inspect = inspectingStream(options);
  const hash = tools.hasher.follow(file);
  try {
    const sink = new FileSink(file, { onWritten: (bytes) => hash.written(bytes), durable: tools.flushSlots && { slots: tools.flushSlots } });
    await pipeline(source, inspect.stream, sink);
    const bytes = inspect.bytes();
    return { sha256: await hash.finish(bytes), bytes };
  } catch (err) {
    hash.abandon();
    throw err;
  }
}
