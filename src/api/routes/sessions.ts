import { createHash, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FILE_KINDS, workflowIdFor, type FileKind, type LivenessPolicy } from '../../contract/face-similarity.js';
import { effectiveLivenessPolicy, newChallenge } from '../../policy/liveness.js';
import type { IdempotencyStore } from '../../db/idempotency-store.js';
import type { SessionStore } from '../../db/session-store.js';
import type { TenantStore } from '../../db/tenant-store.js';
import type { BlobStore, StoredBlob } from '../../storage/blob-store.js';
import { verifyMedia } from '../media-check.js';
import { enforceMinimumRate, type MinimumRate } from '../upload-rate.js';
import { ACCEPTED_MEDIA, sniffMediaType } from '../../media/sniff.js';
import { AuthFailureLimiter } from '../plugins/auth-failures.js';
import { authenticate, tenantOf } from '../plugins/authentication.js';
import { Problem, problemSchema, problems } from '../problem.js';
import type { SessionWorkflowsPort } from '../ports.js';
import { sessionView, sessionViewSchema } from '../views.js';

export interface SessionRoutesDeps {
  /** Service-wide liveness modes; each tenant's own modes override them. */
  livenessDefaults: LivenessPolicy;
  sessions: SessionStore;
  tenants: TenantStore;
  idempotency: IdempotencyStore;
  blobs: BlobStore;
  workflows: SessionWorkflowsPort;
  maxBytes: Record<FileKind, number>;
  maxVideoDurationMs: number;
  maxImagePixels: number;
  /** Uploads one session may hold (replaced files count): a client cannot fill storage through one session. */
  maxUploadsPerSession: number;
  /** Failed authentications one client address may make per minute before it gets 429. */
  authFailuresPerMinute: number;
  minimumUploadRate: MinimumRate;
  probeTimeoutMs: number;
}

const sessionParams = z.object({ id: z.string().uuid() });
const kindSchema = z.enum(FILE_KINDS);
const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe(
      'Makes the POST safe to retry: the same key with the same request returns the stored response (kept for ' +
        'IDEMPOTENCY_KEY_TTL, default 24 h). A key whose request never finished is free again after ' +
        'IDEMPOTENCY_CLAIM_TIMEOUT (default 15 min).',
    ),
});

const uploadedFileSchema = z.object({
  fileId: z.string().uuid(),
  kind: kindSchema,
  sha256: z.string(),
  bytes: z.number().int(),
  mediaType: z.string(),
  duplicate: z.boolean().describe('true when these exact bytes were already uploaded for this kind'),
});

const security = [{ bearerAuth: [] }];
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, problemSchema]));

interface ReplayContext {
  /** True (and the stored response is sent) when this key already answered this very request. */
  replay: (requestHash: string) => Promise<boolean>;
  /** Whether a stored response exists for the key, i.e. whether `replay` can return true. */
  mayReplay: boolean;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export const sessionRoutes: FastifyPluginAsyncZod<SessionRoutesDeps> = async (app, deps) => {
  app.addHook('onRequest', authenticate(deps.tenants, new AuthFailureLimiter(deps.authFailuresPerMinute)));

  /**
   * Runs `handle` at most once per Idempotency-Key: a retry with the same request gets the stored
   * response, a different request under the same key a 422, a concurrent twin a 409. The request
   * hash may depend on the body, so `handle` reports it along with its response.
   */
  async function idempotent(
    request: FastifyRequest,
    reply: FastifyReply,
    handle: (ctx: ReplayContext) => Promise<{ requestHash: string; status: number; body: unknown }>,
  ) {
    const tenant = tenantOf(request);
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string') {
      const { status, body } = await handle({ replay: async () => false, mayReplay: false });
      return reply.code(status).send(body);
    }
    const claim = await deps.idempotency.claim(tenant.tenantId, key);
    if (claim.state === 'in-progress') {
      throw new Problem(409, 'idempotency-key-in-use', 'A request with this Idempotency-Key is still in progress', 'retry later');
    }
    // For a key already used, `replay` (called by the handler once it knows the request's hash,
    // before any side effect) answers with the stored response or refuses a different request.
    const replay = async (requestHash: string) => {
      if (claim.state !== 'completed') return false;
      if (claim.requestHash !== requestHash) {
        throw new Problem(422, 'idempotency-key-reused', 'Idempotency-Key reused for a different request', 'use a new key for a new request');
      }
      reply.header('idempotent-replayed', 'true');
      return true;
    };
    try {
      const result = await handle({ replay, mayReplay: claim.state === 'completed' });
      if (claim.state === 'completed') {
        return reply.code(claim.statusCode).send(claim.body);
      }
      await deps.idempotency.complete(tenant.tenantId, key, claim, result.requestHash, result.status, result.body);
      return reply.code(result.status).send(result.body);
    } catch (err) {
      if (claim.state === 'claimed') await deps.idempotency.release(tenant.tenantId, key, claim);
      throw err;
    }
  }

  app.post(
    '/v1/sessions',
    {
      schema: {
        summary: 'Create a KYC session',
        description:
          'Starts the session workflow; upload both files within the configured timeout (default one hour). ' +
          'The session keeps the liveness policy in force now. Where the tenant enables the active challenge, ' +
          '`challenge.steps` lists the head turns the selfie video must show, in order (`TURN_LEFT`: the user turns ' +
          'to their own left).',
        security,
        headers: idempotencyHeaders,
        response: { 201: sessionViewSchema, ...errors(400, 401, 409, 422, 429, 503) },
      },
    },
    async (request, reply) =>
      idempotent(request, reply, async ({ replay }) => {
        const requestHash = sha256('POST /v1/sessions');
        if (await replay(requestHash)) return { requestHash, status: 201, body: null };
        const tenant = tenantOf(request);
        const id = randomUUID();
        const policy = effectiveLivenessPolicy(deps.livenessDefaults, await deps.tenants.livenessModes(tenant.tenantId));
        await deps.sessions.create(id, tenant.tenantId, workflowIdFor(id), {
          policy,
          challenge: policy.challenge === 'off' ? null : newChallenge(),
        });
        try {
          await deps.workflows.start(id, { tenantId: tenant.tenantId, requestId: request.id });
        } catch (err) {
          await deps.sessions.delete(id);
          request.log.error({ err, sessionId: id }, 'workflow start failed');
          throw problems.unavailable('the workflow service');
        }
        const session = await deps.sessions.find(id);
        return { requestHash, status: 201, body: sessionView(session!, null) };
      }),
  );

  app.get(
    '/v1/sessions/:id',
    {
      schema: {
        summary: 'Read a session: status, uploaded files and, once decided, the result',
        security,
        params: sessionParams,
        response: { 200: sessionViewSchema, ...errors(400, 401, 404, 429) },
      },
    },
    async (request) => {
      const session = await deps.sessions.find(request.params.id, tenantOf(request).tenantId);
      if (!session) throw problems.sessionNotFound(request.params.id);
      const comparison = await deps.sessions.findDecidingComparison(session);
      return sessionView(session, comparison);
    },
  );

  app.post(
    '/v1/sessions/:id/files',
    {
      schema: {
        summary: 'Upload the ID image or the selfie video',
        description:
          'multipart/form-data with exactly one file part named "file". The kind comes from the `kind` query ' +
          'parameter or a `kind` form field sent before the file. The content type is judged from the bytes ' +
          '(images: JPEG, PNG, WebP, HEIC/HEIF; videos: MP4/MOV, WebM) and the file is decoded once before it ' +
          'is accepted. Uploading the same bytes again is harmless (200, `duplicate: true`). A different file of ' +
          'the same kind replaces the previous one until both kinds are present; once the comparison has ' +
          'started, uploads get 409.',
        security,
        params: sessionParams,
        headers: idempotencyHeaders,
        querystring: z.object({ kind: kindSchema.optional() }),
        consumes: ['multipart/form-data'],
        response: { 200: uploadedFileSchema, 201: uploadedFileSchema, ...errors(400, 401, 404, 408, 409, 413, 415, 422, 429, 503) },
      },
    },
    async (request, reply) =>
      idempotent(request, reply, async ({ replay, mayReplay }) => {
        const tenant = tenantOf(request);
        const sessionId = request.params.id;
        const session = await deps.sessions.find(sessionId, tenant.tenantId);
        if (!session) throw problems.sessionNotFound(sessionId);
        if (!request.isMultipart()) throw problems.malformedMultipart('expected a multipart/form-data body');

        let kind: FileKind | undefined = request.query.kind;
        let stored: StoredBlob | undefined;
        let mediaType: string | undefined;
        try {
          for await (const part of request.parts()) {
            if (part.type === 'field') {
              if (part.fieldname === 'kind' && !kind) kind = parseKind(String(part.value));
              continue;
            }
            // A refused part is drained first, or the multipart parser waits for it forever.
            const refuse = (problem: Problem): never => {
              part.file.resume();
              throw problem;
            };
            if (stored || part.fieldname !== 'file') refuse(new Problem(400, 'too-many-files', 'Exactly one file per request', 'send one part named "file"'));
            if (!kind) refuse(problems.invalidKind(undefined));
            const fileKind = kind!;
            // A retry that may replay a stored response must be read first; anything else is refused now.
            if (!mayReplay && session.status !== 'AWAITING_FILES') refuse(problems.sessionClosed(session.status));
            if (!mayReplay && session.files.length >= deps.maxUploadsPerSession) {
              refuse(new Problem(409, 'too-many-uploads', 'This session holds the most uploads it may', `at most ${deps.maxUploadsPerSession} files per session`));
            }
            stored = await deps.blobs.write(enforceMinimumRate(part.file, deps.minimumUploadRate), {
              keyFor: (digest) => `sessions/${sessionId}/${fileKind}/${digest}`,
              maxBytes: deps.maxBytes[fileKind],
              checkHead: (head) => {
                mediaType = sniffMediaType(head);
                if (!mediaType || !ACCEPTED_MEDIA[fileKind].includes(mediaType)) throw problems.unsupportedMedia(fileKind, mediaType);
              },
              verify: (file) =>
                verifyMedia(fileKind, mediaType!, file, {
                  maxVideoDurationMs: deps.maxVideoDurationMs,
                  probeTimeoutMs: deps.probeTimeoutMs,
                  maxImagePixels: deps.maxImagePixels,
                }),
            });
            if (part.file.truncated) throw problems.tooLarge(deps.maxBytes[fileKind]);
          }
        } catch (err) {
          if (stored) await deleteUnreferenced(stored.key);
          throw err;
        }
        if (!stored || !kind || !mediaType) throw problems.missingFile();
        const blob = stored;
        const fileKind = kind;
        const type = mediaType;
        // From here every refusal (a key reused for other bytes, a closed session, a failed
        // signal) removes the blob this request wrote, unless a file row already owns those bytes.
        try {
          const requestHash = sha256(`POST /v1/sessions/${sessionId}/files ${fileKind} ${blob.sha256}`);
          if (await replay(requestHash)) return { requestHash, status: 0, body: null };
          if (session.status !== 'AWAITING_FILES') throw problems.sessionClosed(session.status);

          const { ref, created } = await deps.sessions.addFile({
            id: randomUUID(),
            sessionId,
            kind: fileKind,
            storageKey: blob.key,
            sha256: blob.sha256,
            sizeBytes: blob.bytes,
            mediaType: type,
          });
          // A file row exists only once its signal was delivered, so a duplicate needs no second signal.
          if (created) {
            try {
              await deps.workflows.fileUploaded(sessionId, { ...ref, requestId: request.id });
            } catch (err) {
              // Leave nothing the workflow never heard of; the client's retry redoes it all.
              await deps.sessions.deleteFile(ref.fileId);
              request.log.error({ err, sessionId }, 'upload signal failed');
              throw problems.unavailable('the workflow service');
            }
          }
          const body = { fileId: ref.fileId, kind: ref.kind, sha256: ref.sha256, bytes: ref.bytes, mediaType: ref.mediaType, duplicate: !created };
          return { requestHash, status: created ? 201 : 200, body };
        } catch (err) {
          await deleteUnreferenced(blob.key);
          throw err;
        }
      }),
  );

  /** Content-addressed blobs may be shared by a file row (same bytes uploaded before): keep those. */
  async function deleteUnreferenced(storageKey: string) {
    if (!(await deps.sessions.isBlobReferenced(storageKey))) await deps.blobs.delete(storageKey);
  }
};

function parseKind(value: string | undefined): FileKind {
  const kind = kindSchema.safeParse(value);
  if (!kind.success) throw problems.invalidKind(value);
  return kind.data;
}
