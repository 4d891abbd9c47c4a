import { Transform } from 'node:stream';
import { BlobTooLargeError, EmptyBlobError, type WriteOptions } from './blob-store.js';

const HEAD_BYTES = 64;

/**
 * A pass-through that every storage adapter puts in front of its sink: it counts the bytes,
 * stops the stream as soon as they exceed `maxBytes`, and shows the first bytes to `checkHead`
 * before anything past them is passed on.
 */
export function inspectingStream(options: Pick<WriteOptions, 'maxBytes' | 'checkHead'>) {
  let bytes = 0;
  let head: Buffer | undefined = Buffer.alloc(0);
  let finished = false;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > options.maxBytes) return callback(new BlobTooLargeError(options.maxBytes));
      if (!head) return callback(null, chunk);
      head = Buffer.concat([head, chunk]);
      if (head.length < HEAD_BYTES) return callback();
      const complete = head;
      head = undefined;
      try {
        options.checkHead?.(complete);
      } catch (err) {
        return callback(err as Error);
      }
      callback(null, complete);
    },
    flush(callback) {
      if (bytes === 0) return callback(new EmptyBlobError());
      try {
        if (head) options.checkHead?.(head);
      } catch (err) {
        return callback(err as Error);
      }
      finished = true;
      callback(null, head && head.length > 0 ? head : undefined);
    },
  });
  return {
    stream,
    /** How many bytes passed, once the stream has finished. */
    bytes(): number {
      if (!finished) throw new Error('the stream has not finished');
      return bytes;
    },
  };
}
