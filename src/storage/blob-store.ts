/** Where uploaded media lives; the API writes through it and the GPU activity reads through it. */
export interface StoredBlob {
  key: string;
  sha256: string;
  bytes: number;
}

export interface WriteOptions {
  /** Names the blob once its digest is known (content addressing). */
  keyFor: (sha256: string) => string;
  /** Writing stops with BlobTooLargeError as soon as the source exceeds this. */
  maxBytes: number;
  /** Sees the first bytes before anything is stored; throw to refuse the content. */
  checkHead?: (head: Buffer) => void;
  /** Sees the complete content as a local file before it is committed; throw to refuse it. */
  verify?: (file: string) => Promise<void>;
}

export interface BlobStore {
  write(source: AsyncIterable<Buffer | Uint8Array>, options: WriteOptions): Promise<StoredBlob>;
  /** A local file path holding the blob, valid until `release` is called. */
  open(key: string): Promise<{ path: string; release: () => Promise<void> }>;
  delete(key: string): Promise<void>;
  /** Every blob with its last modification, for the orphan sweep; unfinished writes included. */
  list(): AsyncIterable<{ key: string; modifiedAt: Date }>;
}

export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`content exceeds ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

export class EmptyBlobError extends Error {
  constructor() {
    super('content is empty');
    this.name = 'EmptyBlobError';
  }
}
