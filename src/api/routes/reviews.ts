import { createReadStream } from 'node:fs';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ALL_REVIEW_REASON_CODES, FILE_KINDS, REVIEW_DECISIONS, REVIEW_REASON_CODES, reviewSubmissionSchema } from '../../contract/face-similarity.js';
import { problems } from '../../sessions/problems.js';
import type { ReviewsService } from '../../sessions/reviews-service.js';
import { callerOf } from '../plugins/authentication.js';
import { problemResponses, SECURITY, type Tag } from '../openapi.js';
import { reviewViewSchema } from '../review-view.js';
import { sessionView, sessionViewSchema } from '../views.js';

const security = SECURITY.apiKey;
const errors = problemResponses;
const tags: Tag[] = ['Reviews'];

const waitingSchema = z.object({
  reviews: z.array(
    z.object({
      sessionId: z.string().uuid(),
      review: reviewViewSchema.unwrap(),
      session: sessionViewSchema.describe("the session as the tenant reads it: files, liveness checks and the machine's result"),
    }),
  ),
  nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last'),
});

const submissionBody = z
  .object({
    decision: z.enum(REVIEW_DECISIONS),
    reasonCode: z
      .enum(ALL_REVIEW_REASON_CODES)
      .describe(`APPROVE: ${REVIEW_REASON_CODES.APPROVE.join(', ')}; REJECT: ${REVIEW_REASON_CODES.REJECT.join(', ')}`),
    note: z.string().max(500).optional().describe('for the audit trail; no personal data'),
  })
  .strict();

/** The reviewer's routes: the queue, and a decision on one session. A reviewer API key only. */
export const reviewRoutes: FastifyPluginAsyncZod<{ reviews: ReviewsService }> = async (app, { reviews }) => {
  app.get(
    '/v1/reviews',
    {
      schema: {
        operationId: 'listReviews',
        tags,
        summary: 'Sessions awaiting review, oldest first',
        description: "With a reviewer API key. Each comes with why the machine's decision went to a person and the session as the tenant reads it.",
        security,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: z.string().max(200).optional() }),
        response: { 200: waitingSchema, ...errors(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const page = await reviews.waiting(callerOf(request), { limit: request.query.limit, ...(request.query.cursor ? { cursor: request.query.cursor } : {}) });
      return {
        reviews: page.reviews.map((read) => {
          const view = sessionView(read);
          return { sessionId: view.id, review: view.review!, session: view };
        }),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.post(
    '/v1/sessions/:id/review',
    {
      schema: {
        operationId: 'decideReview',
        tags,
        summary: "Decide a session awaiting review: approve or reject the machine's decision",
        description:
          'With a reviewer API key and an Idempotency-Key (one per decision). The decision is applied once: the same ' +
          'request again gets the same answer; a different decision after it gets 409 `already-reviewed`. A session not ' +
          'awaiting review gets 409 `not-awaiting-review`. Answers with the session as recorded after the decision.',
        security,
        params: z.object({ id: z.string().uuid() }),
        headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
        body: submissionBody,
        response: { 200: sessionViewSchema, ...errors(400, 401, 403, 404, 409, 429, 503) },
      },
    },
    async (request) => {
      const checked = reviewSubmissionSchema.safeParse(request.body);
      if (!checked.success) throw problems.validation(checked.error.issues.map((i) => i.message).join('; '));
      const submission = checked.data;
      const read = await reviews.submit(callerOf(request), request.params.id, submission, { idempotencyKey: request.headers['idempotency-key'], requestId: request.id });
      return sessionView(read);
    },
  );

  app.get(
    '/v1/sessions/:id/files/:kind/content',
    {
      schema: {
        operationId: 'getSessionFileContent',
        tags,
        summary: "A session's retained upload, for a reviewer",
        description:
          'With a reviewer API key: the latest ID image or selfie video of the session, as uploaded, while retention keeps it. ' +
          'Every read is audited (`MEDIA_READ`); the response is never cached (`Cache-Control: no-store`).',
        security,
        params: z.object({ id: z.string().uuid(), kind: z.enum(FILE_KINDS) }),
        response: { 200: z.any().describe('the file bytes'), ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const media = await reviews.media(callerOf(request), request.params.id, request.params.kind, request.id);
      const stream = createReadStream(media.path);
      stream.once('close', () => void media.release());
      return reply
        .header('content-type', media.mediaType)
        .header('content-length', media.bytes)
        .header('cache-control', 'no-store, private')
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', 'inline')
        .send(stream);
    },
  );
};
