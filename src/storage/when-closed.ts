import type { WriteStream } from 'node:fs';

/**
 * Resolves once the stream's file is closed. pipeline rejects on the first error, possibly while
 * the file is still being opened; removing it before then let the open create it afterwards and
 * leave it behind.
 */
export function whenClosed(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => (stream.closed ? resolve() : stream.once('close', () => resolve())));
}
