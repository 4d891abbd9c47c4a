import type { BlobStore } from '../src/storage/blob-store.js';

/** Storage whose first read times out, like a blob store having a bad second; later reads work. */
export function failFirstOpen(blobs: BlobStore): BlobStore {
  let failed = false;
  return {
    write: (source, options) => blobs.write(source, options),
    delete: (key) => blobs.delete(key),
    list: () => blobs.list(),
    open: async (key) => {
      if (!failed) {
        failed = true;
        throw new Error('storage read timed out (injected fault)');
      }
      return blobs.open(key);
    },
  };
}
