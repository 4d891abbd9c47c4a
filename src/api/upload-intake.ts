import type { FastifyRequest } from 'fastify';
import { FILE_KINDS, type FileKind } from '../contract/face-similarity.js';
import { ACCEPTED_MEDIA, sniffMediaType } from '../media/sniff.js';
import type { UploadMediaLimits } from '../media/verify.js';
import type { BlobStore, StoredBlob } from '../storage/blob-store.js';
import { verifyUploadOrProblem } from './media-problems.js';
import { Problem } from './problem.js';
import { enforceMinimumRate, type MinimumRate } from './upload-rate.js';

export interface IntakeLimits {
  maxBytes: Record<FileKind, number>;
  media: UploadMediaLimits;
  minimumUploadRate: MinimumRate;
}

export interface ReceivedUpload {
  blob: StoredBlob;
  kind: FileKind;
  mediaType: string;
}

/**
 * Reads a multipart upload: one part named `file`, its kind from the query or a `kind` field
 * sent before it. The bytes are streamed into the blob store, sniffed from their first bytes,
 * hashed, bounded in size and rate, and checked (structure, pixels, duration) before the blob
 * is committed. `admit` runs once the kind is known and before a byte is stored: throw there to
 * refuse the upload. Whatever fails after the blob was written removes it again, unless a file
 * row already owns those bytes (`isReferenced`).
 */
export async function receiveUpload(
  request: FastifyRequest,
  options: {
    sessionId: string;
    kindFromQuery: FileKind | undefined;
    blobs: BlobStore;
    limits: IntakeLimits;
    admit: (kind: FileKind) => void;
    isReferenced: (storageKey: string) => Promise<boolean>;
  },
): Promise<ReceivedUpload> {
  if (!request.isMultipart()) throw new Problem('malformed-multipart', 'expected a multipart/form-data body');
  const { limits } = options;
  let kind = options.kindFromQuery;
  let stored: StoredBlob | undefined;
  let mediaType: string | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.fieldname === 'kind' && !kind) kind = parseKind(String(part.value));
        continue;
      }
      // A refused part is drained first, or the multipart parser waits for it forever.
      const refuse = (problem: unknown): never => {
        part.file.resume();
        throw problem;
      };
      if (stored || part.fieldname !== 'file') refuse(new Problem('too-many-files', 'send one part named "file"'));
      if (!kind) refuse(invalidKind(undefined));
      const fileKind = kind!;
      try {
        options.admit(fileKind);
      } catch (err) {
        refuse(err);
      }
      stored = await options.blobs.write(enforceMinimumRate(part.file, limits.minimumUploadRate), {
        keyFor: (digest) => `sessions/${options.sessionId}/${fileKind}/${digest}`,
        maxBytes: limits.maxBytes[fileKind],
        checkHead: (head) => {
          mediaType = sniffMediaType(head);
          if (!mediaType || !ACCEPTED_MEDIA[fileKind].includes(mediaType)) {
            throw new Problem('unsupported-media-type', `${fileKind} content not accepted (${mediaType ?? 'unrecognised bytes'})`);
          }
        },
        verify: (file) => verifyUploadOrProblem(fileKind, mediaType!, file, limits.media),
      });
      if (part.file.truncated) throw fileTooLarge(limits.maxBytes[fileKind]);
    }
  } catch (err) {
    if (stored) await removeUnreferenced(options, stored.key);
    throw err;
  }
  if (!stored || !kind || !mediaType) throw new Problem('missing-file', 'send one multipart part named "file"');
  return { blob: stored, kind, mediaType };
}

/** Content-addressed blobs may be shared by a file row (same bytes uploaded before): keep those. */
export async function removeUnreferenced(
  deps: { blobs: BlobStore; isReferenced: (storageKey: string) => Promise<boolean> },
  storageKey: string,
): Promise<void> {
  if (!(await deps.isReferenced(storageKey))) await deps.blobs.delete(storageKey);
}

export function fileTooLarge(maxBytes: number): Problem {
  return new Problem('file-too-large', `limit is ${maxBytes} bytes`);
}

export function invalidKind(value: string | undefined): Problem {
  return new Problem('invalid-kind', `kind must be ${FILE_KINDS.join(' or ')}, got ${value ?? 'nothing'}`);
}

function parseKind(value: string): FileKind {
  const kind = FILE_KINDS.find((k) => k === value);
  if (!kind) throw invalidKind(value);
  return kind;
}
