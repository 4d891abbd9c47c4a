import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FILE_KINDS, SESSION_STATUSES } from '../../contract/face-similarity.js';
import { AUDIT_ACTIONS } from '../../db/audit-log.js';
import type { Response } from '../../sessions/replay.js';
import type { SessionsService } from '../../sessions/sessions-service.js';
import type { UploadPart } from '../../sessions/upload.js';
import { callerOf } from '../plugins/authentication.js';
import { problems } from '../problem.js';
import { problemResponses, SECURITY, type Tag } from '../openapi.js';
import { sessionReferenceSchema } from '../../contract/session-reference.js';
import { endUserView, endUserViewSchema, erasureReceiptSchema, sessionPageSchema, sessionSummary, sessionView, sessionViewSchema } from '../views.js';

const sessionParams = z.object({ id: z.string().uuid() });
const kindSchema = z.enum(FILE_KINDS);
const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe(
      'Makes the POST safe to retry: the same key with the same request, from the same credential, returns the stored response ' +
        '(kept for IDEMPOTENCY_KEY_TTL, default 24 h). A key whose request never finished is free again after ' +
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
const errors = problemResponses;
const tags: Tag[] = ['Sessions'];

const createBody = z
  .object({ reference: sessionReferenceSchema.optional() })
  .strict()
  // No body at all reaches the validator as null.
  .nullish()
  .describe('Optional; no body is a session without a reference');

const listQuery = z.object({
  status: z
    .union([z.enum(SESSION_STATUSES), z.array(z.enum(SESSION_STATUSES))])
    .optional()
    .describe('only sessions in this status; repeat the parameter for several'),
  reference: sessionReferenceSchema.optional().describe('only sessions created with this reference'),
  createdAfter: z.string().datetime({ offset: true }).optional().describe('created at or after this instant (RFC 3339)'),
  createdBefore: z.string().datetime({ offset: true }).optional().describe('created before this instant (RFC 3339)'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional().describe('`nextCursor` of the previous page'),
});

/** Renders a fresh response's body for HTTP; a replay is sent as it was stored. */
function rendered<T>(response: Response<T>, render: (body: T) => unknown): Response<unknown> {
  return response.kind === 'replay' ? response : { ...response, body: render(response.body) };
}

/** @fastify/multipart's parts as the sessions service reads them. */
async function* partsOf(request: FastifyRequest): AsyncIterable<UploadPart> {
  for await (const part of request.parts()) {
    if (part.type === 'field') yield { type: 'field', name: part.fieldname, value: String(part.value) };
    else yield { type: 'file', name: part.fieldname, stream: part.file, truncated: () => part.file.truncated };
  }
}

/** The sessions routes: HTTP in, one call into the sessions service, HTTP out. */
export const sessionRoutes: FastifyPluginAsyncZod<{ sessions: SessionsService }> = async (app, { sessions }) => {
  app.post(
    '/v1/sessions',
    {
      schema: {
        operationId: 'createSession',
        tags,
        summary: 'Create a KYC session',
        description:
          'Starts the session workflow; upload both files within the configured timeout (default one hour). ' +
          'The session keeps the liveness policy in force now. Where the tenant enables the active challenge, ' +
          '`challenge.steps` lists the head turns the selfie video must show, in order (`TURN_LEFT`: the user turns ' +
          'to their own left). With an API key only. The response carries `clientToken`, a bearer token that can ' +
          'upload to and read this one session until `clientTokenExpiresAt` (CLIENT_TOKEN_TTL, default 1 h) and dies ' +
          'with the session: give it to the mobile app, never the API key. `reference` is your own opaque id for the ' +
          'person or case (never a name or an e-mail address): returned on reads, filterable in the list, sent in webhooks.',
        security: SECURITY.apiKey,
        headers: idempotencyHeaders,
        body: createBody,
        response: { 201: createdSessionSchema, ...errors(400, 401, 403, 409, 422, 429, 503) },
      },
    },
    async (request, reply) =>
      reply.idempotently(request, async (replay) =>
        rendered(await sessions.create(callerOf(request), { reference: request.body?.reference, idempotencyKey: request.headers['idempotency-key'], requestId: request.id, replay }), (created) => ({
          ...sessionView({ session: created.session, decision: null, review: null }),
          clientToken: created.clientToken,
          clientTokenExpiresAt: created.clientTokenExpiresAt.toISOString(),
        })),
      ),
  );

  app.get(
    '/v1/sessions',
    {
      schema: {
        operationId: 'listSessions',
        tags,
        summary: "List the tenant's sessions, newest first",
        description:
          'Cursor-paginated (pass `nextCursor` back as `cursor`; pages stay stable while sessions are created) and filtered ' +
          'by status, creation time and `reference`. Each item is a summary: read a session for its result. Any API key of ' +
          'the tenant; never another tenant\'s sessions.',
        security: SECURITY.apiKey,
        querystring: listQuery,
        response: { 200: sessionPageSchema, ...errors(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const { status, reference, createdAfter, createdBefore, limit, cursor } = request.query;
      const page = await sessions.list(callerOf(request), {
        ...(status ? { status: Array.isArray(status) ? status : [status] } : {}),
        ...(reference ? { reference } : {}),
        ...(createdAfter ? { createdAfter: new Date(createdAfter) } : {}),
        ...(createdBefore ? { createdBefore: new Date(createdBefore) } : {}),
        ...(cursor ? { cursor } : {}),
        limit,
      });
      return { items: page.items.map(sessionSummary), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/sessions/:id',
    {
      schema: {
        operationId: 'getSession',
        tags,
        summary: 'Read a session: status, uploaded files and, once decided, the result',
        description:
          'With the API key: everything, the result and liveness only from a signed comparison. With the session token: ' +
          'the status, a coarse decision and a retake hint, never scores or thresholds.',
        security: SECURITY.apiKeyOrSessionToken,
        params: sessionParams,
        response: { 200: z.union([sessionViewSchema, endUserViewSchema]), ...errors(400, 401, 404, 429) },
      },
    },
    async (request) => {
      const read = await sessions.read(callerOf(request), request.params.id, request.id);
      return read.audience === 'tenant' ? sessionView(read) : endUserView(read);
    },
  );

  app.delete(
    '/v1/sessions/:id',
    {
      schema: {
        operationId: 'eraseSession',
        tags,
        summary: 'Erase a session: its media, file rows, per-frame details, stored responses and Temporal history',
        description:
          'Erasure on request (GDPR Art. 17), with an API key only. Waits for an upload in flight, stops every run of the ' +
          "session's workflow and deletes them all, deletes its uploads from storage, its file rows, the per-frame details of " +
          'its comparisons and the stored responses that held its token, and leaves a tombstone that `GET` answers with status ' +
          '`DELETED`. The decision (similarity, match) is kept for the AML record. Idempotent: erasing again returns the same receipt.',
        security: SECURITY.apiKey,
        params: sessionParams,
        response: { 200: erasureReceiptSchema, ...errors(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => sessions.erase(callerOf(request), request.params.id, request.id),
  );

  app.get(
    '/v1/sessions/:id/audit',
    {
      schema: {
        operationId: 'getSessionAudit',
        tags,
        summary: "The session's audit trail: who did what, when, with which key and request",
        description: 'Append-only; never media or scores. With an API key only; erased sessions keep theirs.',
        security: SECURITY.apiKey,
        params: sessionParams,
        response: { 200: auditSchema, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (request) => sessions.auditTrail(callerOf(request), request.params.id),
  );

  app.post(
    '/v1/sessions/:id/files',
    {
      schema: {
        operationId: 'uploadSessionFile',
        tags,
        summary: 'Upload the ID image or the selfie video',
        description:
          'multipart/form-data with exactly one file part named "file". The kind comes from the `kind` query ' +
          'parameter or a `kind` form field sent before the file. The content type is judged from the bytes ' +
          '(images: JPEG, PNG, WebP; videos: MP4/MOV, WebM) and the file is checked once before it ' +
          'is accepted. Uploading the same bytes again is harmless (200, `duplicate: true`). A different file of ' +
          'the same kind replaces the previous one until both kinds are present; once the comparison has ' +
          'started, uploads get 409, except the same bytes again (a retry whose answer was lost: 200, `duplicate: true`).',
        security: SECURITY.apiKeyOrSessionToken,
        params: sessionParams,
        headers: idempotencyHeaders,
        querystring: z.object({ kind: kindSchema.optional() }),
        consumes: ['multipart/form-data'],
        response: { 200: uploadedFileSchema.describe('These bytes were already uploaded for this kind'), 201: uploadedFileSchema, ...errors(400, 401, 404, 408, 409, 413, 415, 422, 429, 503, 507) },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw problems.malformedMultipart('expected a multipart/form-data body');
      return reply.idempotently(request, async (replay) =>
        sessions.upload(callerOf(request), request.params.id, { parts: partsOf(request), kindFromQuery: request.query.kind, requestId: request.id, replay }),
      );
    },
  );
};
