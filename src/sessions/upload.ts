import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { FILE_KINDS, type FileKind } from '../contract/face-similarity.js';
import { AuditLog } from '../db/audit-log.js';
import { inTransaction, type Db } from '../db/prisma.js';
import { SessionStore } from '../db/session-store.js';
import type { TenantStore } from '../db/tenant-store.js';
import { ACCEPTED_MEDIA, sniffMediaType } from '../media/sniff.js';
import type { UploadMediaLimits } from '../media/verify.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import { BlobTooLargeError, type BlobStore, type StoredBlob } from '../storage/blob-store.js';
import { mayAccessSession, mayUpload, requireApiKey, type Caller } from './caller.js';
import { verifyUploadOrProblem } from './media-problems.js';
import type { SessionWorkflowsPort } from './ports.js';
import { Problem, problems } from './problems.js';
import type { ReplayCheck, Response } from './replay.js';
import { enforceMinimumRate, type MinimumRate } from './upload-rate.js';

/** One part of a multipart body, as the API hands it over. */
export type UploadPart = { type: 'field'; name: string; value: string } | { type: 'file'; name: string; stream: Readable; truncated: () => boolean };

export interface UploadLimits {
  maxBytes: Record<FileKind, number>;
  media: UploadMediaLimits;
  minimumUploadRate: MinimumRate;
  /** Uploads one session may hold (replaced files count): a client cannot fill storage through one session. */
  maxUploadsPerSession: number;
  /** Bytes of uploads a tenant may hold, unless it has a quota of its own. */
  tenantStorageQuotaBytes: number;
}

export interface UploadDeps {
  db: Db;
  tenants: TenantStore;
  blobs: BlobStore;
  workflows: SessionWorkflowsPort;
  limits: UploadLimits;
  metrics: Pick<ServiceMetrics, 'uploadedBytes'>;
  logger: Logger;
}

export interface UploadRequest {
  parts: AsyncIterable<UploadPart>;
  kindFromQuery: FileKind | undefined;
  requestId: string;
  replay: ReplayCheck;
}

export interface UploadedFile {
  fileId: string;
  kind: FileKind;
  sha256: string;
  bytes: number;
  mediaType: string;
  duplicate: boolean;
}

/**
 * An upload, from the first byte to the signal: admitted by the session's status, its upload
 * count and the tenant's quota; streamed into the blob store, sniffed, hashed, bounded in size
 * and rate and checked (structure, pixels, duration); then, in one transaction holding the
 * session's row lock, the file row, the workflow signal and the audit line. An erasure waits for
 * that lock, so nothing this upload writes outlives an erasure that follows it. Whatever fails
 * removes the blob again, unless a file row owns those bytes. A retry whose stored response
 * exists is recognised by hashing its bytes, without storing them.
 */
export async function upload(deps: UploadDeps, caller: Caller, sessionId: string, request: UploadRequest): Promise<Response<UploadedFile>> {
  if (!mayUpload(caller)) requireApiKey(caller);
  const session = mayAccessSession(caller, sessionId) ? await new SessionStore(deps.db).find(sessionId, caller.tenantId) : null;
  if (!session) throw problems.sessionNotFound(sessionId);
  const hashOf = (kind: FileKind, sha256: string) => sha256Hex(`POST /v1/sessions/${sessionId}/files ${kind} ${sha256}`);

  if (request.replay.hasStoredResponse) {
    const { kind, sha256 } = await hashParts(request, deps.limits.maxBytes);
    return request.replay.answer(hashOf(kind, sha256));
  }

  const store = new SessionStore(deps.db);
  const quota = (await deps.tenants.storageQuota(caller.tenantId)) ?? deps.limits.tenantStorageQuotaBytes;
  const used = await store.tenantStorageBytes(caller.tenantId);
  const isReferenced = (key: string) => store.isBlobReferenced(key);
  const { blob, kind, mediaType } = await receive(deps, request, {
    keyFor: (kind, digest) => `sessions/${sessionId}/${kind}/${digest}`,
    // A closed session still reads a file of a kind it holds: it may be the retry of the upload
    // that closed it (the answer was lost), which must get its 200, not a 409.
    admit: (kind) => {
      if (session.status !== 'AWAITING_FILES' && !session.files.some((f) => f.kind === kind)) throw problems.sessionClosed(session.status);
      if (session.files.length >= deps.limits.maxUploadsPerSession) throw new Problem('too-many-uploads', `at most ${deps.limits.maxUploadsPerSession} files per session`);
      if (used >= quota) throw problems.quotaExceeded(used, quota);
    },
  });
  try {
    const outcome = await inTransaction(deps.db, async (tx) => {
      const sessions = new SessionStore(tx);
      const status = await sessions.lockShared(sessionId);
      const held = session.files.find((f) => f.kind === kind && f.sha256 === blob.sha256);
      if (status !== 'AWAITING_FILES') {
        // The very bytes this session already holds: a retry, answered as the duplicate it is.
        if (!held || status === 'DELETED' || status === null) throw problems.sessionClosed(status ?? 'DELETED');
        return { ref: { fileId: held.id, kind, sha256: held.sha256, bytes: held.sizeBytes, mediaType: held.mediaType }, created: false };
      }
      if (!held && used + blob.bytes > quota) throw problems.quotaExceeded(used + blob.bytes, quota);
      const { ref, created } = await sessions.addFile({ id: randomUUID(), sessionId, kind, storageKey: blob.key, sha256: blob.sha256, sizeBytes: blob.bytes, mediaType });
      // A file row exists only once its signal was delivered (a failed signal rolls the row back),
      // so a duplicate needs no second signal.
      if (created) {
        await deps.workflows.fileUploaded(sessionId, { ...ref, requestId: request.requestId }, { tenantId: caller.tenantId }).catch((err: unknown) => {
          deps.logger.error({ err, sessionId }, 'upload signal failed');
          throw problems.unavailable('the workflow service');
        });
        await new AuditLog(tx).record({ tenantId: caller.tenantId, sessionId, action: 'FILE_UPLOADED', actor: caller.keyId, requestId: request.requestId, detail: `${kind} sha256:${blob.sha256.slice(0, 12)}` });
      }
      return { ref, created };
    });
    if (outcome.created) deps.metrics.uploadedBytes.inc({ kind }, blob.bytes);
    const { ref, created } = outcome;
    return {
      kind: 'fresh',
      requestHash: hashOf(kind, blob.sha256),
      status: created ? 201 : 200,
      body: { fileId: ref.fileId, kind: ref.kind, sha256: ref.sha256, bytes: ref.bytes, mediaType: ref.mediaType, duplicate: !created },
      sessionId,
    };
  } catch (err) {
    await removeUnreferenced(deps.blobs, isReferenced, blob.key);
    throw err;
  }
}

/**
 * Reads the multipart parts: one file part named `file`, its kind from the query or a `kind`
 * field sent before it, into the blob store. Fields and a second file after it are read too, so
 * that a second file is refused rather than silently dropped.
 */
async function receive(
  deps: UploadDeps,
  request: UploadRequest,
  target: { keyFor: (kind: FileKind, digest: string) => string; admit: (kind: FileKind) => void },
): Promise<{ blob: StoredBlob; kind: FileKind; mediaType: string }> {
  let kind = request.kindFromQuery;
  let stored: StoredBlob | undefined;
  let mediaType: string | undefined;
  try {
    for await (const part of request.parts) {
      if (part.type === 'field') {
        if (part.name === 'kind' && !kind) kind = parseKind(part.value);
        continue;
      }
      // A refused part is drained first, or the multipart parser waits for it forever.
      const refuse = (problem: unknown): never => {
        part.stream.resume();
        throw problem;
      };
      if (stored || part.name !== 'file') refuse(new Problem('too-many-files', 'send one part named "file"'));
      if (!kind) refuse(invalidKind(undefined));
      const fileKind = kind!;
      try {
        target.admit(fileKind);
      } catch (err) {
        refuse(err);
      }
      const limit = deps.limits.maxBytes[fileKind];
      stored = await deps.blobs.write(enforceMinimumRate(part.stream, deps.limits.minimumUploadRate), {
        keyFor: (digest) => target.keyFor(fileKind, digest),
        maxBytes: limit,
        checkHead: (head) => {
          mediaType = sniffMediaType(head);
          if (!mediaType || !ACCEPTED_MEDIA[fileKind].includes(mediaType)) {
            throw new Problem('unsupported-media-type', `${fileKind} content not accepted (${mediaType ?? 'unrecognised bytes'})`);
          }
        },
        verify: (file) => verifyUploadOrProblem(fileKind, mediaType!, file, deps.limits.media),
      });
      if (part.truncated()) throw problems.tooLarge(limit);
    }
  } catch (err) {
    if (stored) await removeUnreferenced(deps.blobs, (key) => new SessionStore(deps.db).isBlobReferenced(key), stored.key);
    throw err;
  }
  if (!stored || !kind || !mediaType) throw new Problem('missing-file', 'send one multipart part named "file"');
  return { blob: stored, kind, mediaType };
}

/** The kind and digest of the file part, read to its end and stored nowhere (a replayed request). */
async function hashParts(request: UploadRequest, maxBytes: Record<FileKind, number>): Promise<{ kind: FileKind; sha256: string }> {
  let kind = request.kindFromQuery;
  let digest: string | undefined;
  for await (const part of request.parts) {
    if (part.type === 'field') {
      if (part.name === 'kind' && !kind) kind = parseKind(part.value);
      continue;
    }
    if (digest || part.name !== 'file' || !kind) {
      part.stream.resume();
      throw digest ? new Problem('too-many-files', 'send one part named "file"') : invalidKind(undefined);
    }
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of part.stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes[kind]) {
        part.stream.resume();
        throw new BlobTooLargeError(maxBytes[kind]);
      }
      hash.update(chunk);
    }
    if (part.truncated()) throw problems.tooLarge(maxBytes[kind]);
    digest = hash.digest('hex');
  }
  if (!kind || !digest) throw new Problem('missing-file', 'send one multipart part named "file"');
  return { kind, sha256: digest };
}

/** Content-addressed blobs may be shared by a file row (the same bytes uploaded before): those stay. */
async function removeUnreferenced(blobs: BlobStore, isReferenced: (key: string) => Promise<boolean>, storageKey: string): Promise<void> {
  if (!(await isReferenced(storageKey))) await blobs.delete(storageKey);
}

export function invalidKind(value: string | undefined): Problem {
  return new Problem('invalid-kind', `kind must be ${FILE_KINDS.join(' or ')}, got ${value ?? 'nothing'}`);
}

function parseKind(value: string): FileKind {
  const kind = FILE_KINDS.find((k) => k === value);
  if (!kind) throw invalidKind(value);
  return kind;
}

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
