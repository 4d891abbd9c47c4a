import { createHash, randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import { FILE_KINDS, workflowIdFor, type LivenessPolicy } from '../../contract/face-similarity.js';
import { AUDIT_ACTIONS, type AuditLog } from '../../db/audit-log.js';
import { metrics } from '../../observability/metrics.js';
import type { SessionStore } from '../../db/session-store.js';
import type { TenantStore } from '../../db/tenant-store.js';
import { effectiveLivenessPolicy, newChallenge } from '../../policy/liveness.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { AuthFailureLimiter } from '../plugins/auth-failures.js';
import { authenticate, mayAccessSession, requireApiKey, tenantOf } from '../plugins/authentication.js';
import type { SessionTokens } from '../../auth/session-token.js';
import type { SessionWorkflowsPort } from '../ports.js';
import { Problem, problemSchema, problems } from '../problem.js';
import { sessionIdFor } from '../session-id.js';
import type { IdempotencyTimes } from '../../db/idempotency-store.js';
import { receiveUpload, removeUnreferenced, type IntakeLimits } from '../upload-intake.js';
import { erasureReceiptSchema, sessionView, sessionViewSchema } from '../views.js';
import type { ErasureReceipt } from '../../lifecycle/erasure.js';

export interface SessionRoutesDeps extends IntakeLimits {
  /** Service-wide liveness modes; each tenant's own modes override them. */
  livenessDefaults: LivenessPolicy;
  sessions: SessionStore;
  tenants: TenantStore;
  blobs: BlobStore;
  workflows: SessionWorkflowsPort;
  /** Uploads one session may hold (replaced files count): a client cannot fill storage through one session. */
  maxUploadsPerSession: number;
  /** Bytes of uploads a tenant may hold, unless it has a quota of its own. */
  tenantStorageQuotaBytes: number;
  /** Failed authentications one client address may make per minute before it gets 429. */
  authFailuresPerMinute: number;
  /** Issues and checks the session-scoped tokens mobile apps use instead of the tenant's key. */
  tokens: SessionTokens;
  /** The append-only audit trail of sessions. */
  audit: AuditLog;
  /** The Idempotency-Key times: a create resumes the session of its key only within the key's TTL. */
  idempotency: { times: Pick<IdempotencyTimes, 'keyTtlMs'> };
  /** Erases a session on request (lifecycle/erasure.ts). */
  erase: (session: { id: string; tenantId: string }, erasedBy: string) => Promise<ErasureReceipt>;
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
        'IDEMPOTENCY_CLAIM_TIMEOUT (default 30 s; a request still running keeps its key).',
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

const auditSchema = z.object({
  sessionId: z.string().uuid(),
  events: z.array(
    z.object({
      action: z.enum(AUDIT_ACTIONS),
      actor: z.string().describe('API key id, `session:<id>` for a session token, `workflow` or `retention`'),
      requestId: z.string().nullable(),
      detail: z.string().nullable(),
      at: z.string().datetime(),
    }),
  ),
});

const createdSessionSchema = sessionViewSchema.extend({
  clientToken: z.string().describe('Bearer token for this session only (upload, read); hand it to the app instead of the API key'),
  clientTokenExpiresAt: z.string().datetime(),
});
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, problemSchema]));

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export const sessionRoutes: FastifyPluginAsyncZod<SessionRoutesDeps> = async (app, deps) => {
  app.addHook(
    'onRequest',
    authenticate(
      { tenants: deps.tenants, tokens: deps.tokens, sessionTenant: (id) => deps.sessions.tenantOfSession(id) },
      new AuthFailureLimiter(deps.authFailuresPerMinute),
    ),
  );

  app.post(
    '/v1/sessions',
    {
      schema: {
        summary: 'Create a KYC session',
        description:
          'Starts the session workflow; upload both files within the configured timeout (default one hour). ' +
          'The session keeps the liveness policy in force now. Where the tenant enables the active challenge, ' +
          '`challenge.steps` lists the head turns the selfie video must show, in order (`TURN_LEFT`: the user turns ' +
          'to their own left). With an API key only. The response carries `clientToken`, a bearer token that can ' +
          'upload to and read this one session until `clientTokenExpiresAt` (CLIENT_TOKEN_TTL, default 1 h): give it to ' +
          'the mobile app, never the API key. Flow: app asks your backend -> backend `POST /v1/sessions` with its API key ' +
          '-> backend hands `id` and `clientToken` to the app -> app uploads both files with `Authorization: Bearer ' +
          '<clientToken>` -> your backend gets the webhook (or reads the session with its key). Rate limits apply per token.',
        security,
        headers: idempotencyHeaders,
        response: { 201: createdSessionSchema, ...errors(400, 401, 403, 409, 422, 429, 503) },
      },
    },
    async (request, reply) =>
      reply.idempotently(request, async ({ answerIfStored }) => {
        const requestHash = sha256('POST /v1/sessions');
        if (await answerIfStored(requestHash)) return { requestHash, status: 201, body: null };
        const tenant = requireApiKey(request);
        // Under an Idempotency-Key the id comes from the key: a retry after this server died
        // mid-request (its claim lapsed) finds the session it made, not a second one.
        const key = request.headers['idempotency-key'];
        const keyed = typeof key === 'string' ? sessionIdFor(tenant.tenantId, key) : undefined;
        const existing = keyed ? await deps.sessions.find(keyed, tenant.tenantId) : null;
        // Past its TTL the key is free for a new request, and an erased session stays erased:
        // only a live session made within the TTL is this request's to resume.
        const resumes = existing !== null && existing.status !== 'DELETED' && Date.now() - existing.createdAt.getTime() < deps.idempotency.times.keyTtlMs;
        const id = keyed && (resumes || !existing) ? keyed : randomUUID();
        const policy = effectiveLivenessPolicy(deps.livenessDefaults, await deps.tenants.livenessModes(tenant.tenantId));
        const created = !resumes && (await deps.sessions.createIfAbsent(id, tenant.tenantId, workflowIdFor(id), {
          policy,
          challenge: policy.challenge === 'off' ? null : newChallenge(),
        }));
        try {
          await deps.workflows.start(id, { tenantId: tenant.tenantId, requestId: request.id });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
            if (created) await deps.sessions.delete(id);
            request.log.error({ err, sessionId: id }, 'workflow start failed');
            throw problems.unavailable('the workflow service');
          }
        }
        const session = await deps.sessions.find(id);
        if (created) await deps.audit.record({ tenantId: tenant.tenantId, sessionId: id, action: 'SESSION_CREATED', actor: tenant.keyId, requestId: request.id });
        const { token, expiresAt } = deps.tokens.issue(id);
        return { requestHash, status: 201, body: { ...sessionView(session!, null), clientToken: token, clientTokenExpiresAt: expiresAt.toISOString() } };
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
      const caller = tenantOf(request);
      // Another session than a token's own does not exist for it, as another tenant's does not.
      const session = mayAccessSession(caller, request.params.id) ? await deps.sessions.find(request.params.id, caller.tenantId) : null;
      if (!session) throw problems.sessionNotFound(request.params.id);
      const comparison = await deps.sessions.findDecidingComparison(session);
      if (comparison) {
        await deps.audit.record({ tenantId: caller.tenantId, sessionId: session.id, action: 'RESULT_READ', actor: caller.keyId, requestId: request.id });
      }
      return sessionView(session, comparison);
    },
  );

  app.delete(
    '/v1/sessions/:id',
    {
      schema: {
        summary: 'Erase a session: its media, file rows, per-frame details and Temporal history',
        description:
          'Erasure on request (GDPR Art. 17), with an API key only. Stops the session if it is still running, deletes ' +
          'its uploads from storage, its file rows, the per-frame details of its comparisons and its workflow history, ' +
          'and leaves a tombstone that `GET` answers with status `DELETED`. The decision (similarity, match) is kept ' +
          'for the AML record. Idempotent: erasing again returns the same receipt.',
        security,
        params: sessionParams,
        response: { 200: erasureReceiptSchema, ...errors(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => {
      const caller = requireApiKey(request);
      const session = await deps.sessions.find(request.params.id, caller.tenantId);
      if (!session) throw problems.sessionNotFound(request.params.id);
      const receipt = await deps.erase(session, caller.keyId);
      await deps.audit.record({ tenantId: caller.tenantId, sessionId: session.id, action: 'SESSION_DELETED', actor: caller.keyId, requestId: request.id });
      return receipt;
    },
  );

  app.get(
    '/v1/sessions/:id/audit',
    {
      schema: {
        summary: "The session's audit trail: who did what, when, with which key and request",
        description: 'Append-only; never media or scores. With an API key only; erased sessions keep theirs.',
        security,
        params: sessionParams,
        response: { 200: auditSchema, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const caller = requireApiKey(request);
      const session = await deps.sessions.find(request.params.id, caller.tenantId);
      if (!session) throw problems.sessionNotFound(request.params.id);
      return { sessionId: session.id, events: await deps.audit.forSession(session.id) };
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
          'started, uploads get 409, except the same bytes again (a retry whose answer was lost: 200, `duplicate: true`).',
        security,
        params: sessionParams,
        headers: idempotencyHeaders,
        querystring: z.object({ kind: kindSchema.optional() }),
        consumes: ['multipart/form-data'],
        response: { 200: uploadedFileSchema, 201: uploadedFileSchema, ...errors(400, 401, 404, 408, 409, 413, 415, 422, 429, 503, 507) },
      },
    },
    async (request, reply) =>
      reply.idempotently(request, async ({ answerIfStored, hasStoredResponse }) => {
        const tenant = tenantOf(request);
        const sessionId = request.params.id;
        const session = mayAccessSession(tenant, sessionId) ? await deps.sessions.find(sessionId, tenant.tenantId) : null;
        if (!session) throw problems.sessionNotFound(sessionId);
        const isReferenced = (storageKey: string) => deps.sessions.isBlobReferenced(storageKey);
        const quota = (await deps.tenants.storageQuota(tenant.tenantId)) ?? deps.tenantStorageQuotaBytes;
        const used = await deps.sessions.tenantStorageBytes(tenant.tenantId);
        const { blob, kind: fileKind, mediaType: type } = await receiveUpload(request, {
          sessionId,
          kindFromQuery: request.query.kind,
          blobs: deps.blobs,
          limits: deps,
          isReferenced,
          // A retry that may get a stored response must be read first; anything else is refused now.
          admit: (kind) => {
            if (hasStoredResponse) return;
            // A closed session still reads a file of a kind it holds: it may be the retry of the
            // upload that closed it (the answer was lost), which must get its 200, not a 409.
            if (session.status !== 'AWAITING_FILES' && !session.files.some((f) => f.kind === kind)) throw problems.sessionClosed(session.status);
            if (session.files.length >= deps.maxUploadsPerSession) {
              throw new Problem('too-many-uploads', `at most ${deps.maxUploadsPerSession} files per session`);
            }
            if (used >= quota) throw storageQuotaExceeded(used, quota);
          },
        });
        // From here every refusal (a key reused for other bytes, a closed session, a failed
        // signal) removes the blob this request wrote, unless a file row already owns those bytes.
        try {
          const requestHash = sha256(`POST /v1/sessions/${sessionId}/files ${fileKind} ${blob.sha256}`);
          if (await answerIfStored(requestHash)) return { requestHash, status: 0, body: null };
          const same = session.files.find((f) => f.kind === fileKind && f.sha256 === blob.sha256);
          if (session.status !== 'AWAITING_FILES') {
            if (!same) throw problems.sessionClosed(session.status);
            // The very bytes this session already holds: a retry, answered as the duplicate it is.
            return { requestHash, status: 200, body: { fileId: same.id, kind: same.kind, sha256: same.sha256, bytes: same.sizeBytes, mediaType: same.mediaType, duplicate: true } };
          }
          // Bytes already stored for this session and kind add nothing; anything else must fit.
          if (!same && used + blob.bytes > quota) throw storageQuotaExceeded(used + blob.bytes, quota);

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
          if (created) {
            // Only now: a file whose signal failed was removed again and was never uploaded.
            metrics.uploadedBytes.inc({ kind: fileKind }, blob.bytes);
            await deps.audit.record({ tenantId: tenant.tenantId, sessionId, action: 'FILE_UPLOADED', actor: tenant.keyId, requestId: request.id, detail: `${fileKind} sha256:${blob.sha256.slice(0, 12)}` });
          }
          const body = { fileId: ref.fileId, kind: ref.kind, sha256: ref.sha256, bytes: ref.bytes, mediaType: ref.mediaType, duplicate: !created };
          return { requestHash, status: created ? 201 : 200, body };
        } catch (err) {
          await removeUnreferenced({ blobs: deps.blobs, isReferenced }, blob.key);
          throw err;
        }
      }),
  );
};

function storageQuotaExceeded(bytes: number, quota: number): Problem {
  return new Problem('storage-quota-exceeded', `this upload would make ${bytes} bytes; the tenant's quota is ${quota} bytes`);
}
