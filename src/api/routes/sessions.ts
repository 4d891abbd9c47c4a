import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FILE_KINDS, workflowIdFor, type FileKind } from '../../contract/face-similarity.js';
import type { SessionStore } from '../../db/session-store.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { ACCEPTED_MEDIA, sniffMediaType } from '../media-sniff.js';
import { problemSchema, problems } from '../problem.js';
import type { SessionWorkflowsPort } from '../ports.js';
import { sessionView, sessionViewSchema } from '../views.js';

export interface SessionRoutesDeps {
  sessions: SessionStore;
  blobs: BlobStore;
  workflows: SessionWorkflowsPort;
  maxBytes: Record<FileKind, number>;
}

const sessionParams = z.object({ id: z.string().uuid() });
const kindSchema = z.enum(FILE_KINDS);

const uploadedFileSchema = z.object({
  fileId: z.string().uuid(),
  kind: kindSchema,
  sha256: z.string(),
  bytes: z.number().int(),
  mediaType: z.string(),
  duplicate: z.boolean().describe('true when these exact bytes were already uploaded for this kind'),
});

export const sessionRoutes: FastifyPluginAsyncZod<SessionRoutesDeps> = async (app, deps) => {
  app.post(
    '/v1/sessions',
    {
      schema: {
        summary: 'Create a KYC session',
        description: 'Starts the session workflow; upload both files within the configured timeout (default one hour).',
        response: { 201: sessionViewSchema, 503: problemSchema },
      },
    },
    async (_request, reply) => {
      const id = randomUUID();
      await deps.sessions.create(id, workflowIdFor(id));
      try {
        await deps.workflows.start(id);
      } catch (err) {
        await deps.sessions.delete(id);
        app.log.error({ err, sessionId: id }, 'workflow start failed');
        throw problems.unavailable('the workflow service');
      }
      const session = await deps.sessions.find(id);
      return reply.code(201).send(sessionView(session!, null));
    },
  );

  app.get(
    '/v1/sessions/:id',
    {
      schema: {
        summary: 'Read a session: status, uploaded files and, once decided, the result',
        params: sessionParams,
        response: { 200: sessionViewSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const session = await deps.sessions.find(request.params.id);
      if (!session) throw problems.sessionNotFound(request.params.id);
      const comparison = session.resultKey ? await deps.sessions.findComparison(session.resultKey) : null;
      return sessionView(session, comparison);
    },
  );

  app.post(
    '/v1/sessions/:id/files',
    {
      schema: {
        summary: 'Upload the ID image or the selfie video',
        description:
          'multipart/form-data with one part named "file". The kind comes from the `kind` query parameter ' +
          'or a `kind` form field sent before the file. Content type is judged from the bytes. ' +
          'Uploading the same bytes again is harmless; a different file of the same kind replaces the ' +
          'previous one until both files are present and the comparison starts (then 409).',
        params: sessionParams,
        querystring: z.object({ kind: kindSchema.optional() }),
        consumes: ['multipart/form-data'],
        response: {
          200: uploadedFileSchema,
          201: uploadedFileSchema,
          400: problemSchema,
          404: problemSchema,
          409: problemSchema,
          413: problemSchema,
          415: problemSchema,
          503: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const sessionId = request.params.id;
      const session = await deps.sessions.find(sessionId);
      if (!session) throw problems.sessionNotFound(sessionId);
      if (session.status !== 'AWAITING_FILES') throw problems.sessionClosed(session.status);
      if (!request.isMultipart()) throw problems.malformedMultipart('expected a multipart/form-data body');

      const part = await request.file();
      if (!part || part.fieldname !== 'file') throw problems.missingFile();
      const kindField = part.fields.kind;
      const rawKind = request.query.kind ?? (kindField && 'value' in kindField ? String(kindField.value) : undefined);
      const kind = kindSchema.safeParse(rawKind);
      if (!kind.success) {
        part.file.resume();
        throw problems.invalidKind(rawKind);
      }

      let mediaType: string | undefined;
      const stored = await deps.blobs.write(part.file, {
        keyFor: (sha256) => `sessions/${sessionId}/${kind.data}/${sha256}`,
        maxBytes: deps.maxBytes[kind.data],
        checkHead: (head) => {
          mediaType = sniffMediaType(head);
          if (!mediaType || !ACCEPTED_MEDIA[kind.data].includes(mediaType)) {
            throw problems.unsupportedMedia(kind.data, mediaType);
          }
        },
      });
      if (part.file.truncated) {
        await deps.blobs.delete(stored.key);
        throw problems.tooLarge(deps.maxBytes[kind.data]);
      }

      const { ref, created } = await deps.sessions.addFile({
        id: randomUUID(),
        sessionId,
        kind: kind.data,
        storageKey: stored.key,
        sha256: stored.sha256,
        sizeBytes: stored.bytes,
        mediaType: mediaType!,
      });
      try {
        await deps.workflows.fileUploaded(sessionId, ref);
      } catch (err) {
        // Leave nothing the workflow never heard of; the client's retry redoes it all.
        if (created) {
          await deps.sessions.deleteFile(ref.fileId);
          await deps.blobs.delete(stored.key);
        }
        request.log.error({ err, sessionId }, 'upload signal failed');
        throw problems.unavailable('the workflow service');
      }
      return reply.code(created ? 201 : 200).send({
        fileId: ref.fileId,
        kind: ref.kind,
        sha256: ref.sha256,
        bytes: ref.bytes,
        mediaType: ref.mediaType,
        duplicate: !created,
      });
    },
  );
};
