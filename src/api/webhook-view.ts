import { z } from 'zod';
import { FILE_KINDS, REVIEW_DECISIONS, SESSION_STATUSES } from '../contract/face-similarity.js';
import { sessionReferenceSchema } from '../contract/session-reference.js';
import { livenessSchema, resultSchema } from './views.js';

/**
 * The webhook body as the OpenAPI document describes it (webhooks/notifier.ts writes it; the
 * webhook integration test parses a real delivery with this schema, so the two cannot drift).
 */
export const WEBHOOK_EVENT_TYPES = ['kyc.session.completed'] as const;

/** The body's name among the document's schemas (the `webhooks` entry refers to it). */
export const WEBHOOK_EVENT_ID = 'SessionCompletedEvent';

export const webhookEventSchema = z
  .object({
    type: z.enum(WEBHOOK_EVENT_TYPES),
    deliveryId: z.string().describe('equals the `webhook-id` header; the same on every retry of this delivery'),
    sessionId: z.string().uuid(),
    reference: sessionReferenceSchema.nullable(),
    status: z.enum(SESSION_STATUSES).describe('the final status; FAILED also for a completed session whose signed decision could not be verified'),
    occurredAt: z.string().datetime(),
    result: resultSchema
      .omit({ frames: true })
      .extend({
        liveness: livenessSchema.optional(),
        review: z
          .object({ decision: z.enum(REVIEW_DECISIONS), reasonCode: z.string().nullable(), decidedBy: z.string().nullable(), decidedAt: z.string().datetime().nullable(), machineMatch: z.boolean() })
          .optional()
          .describe("present when a person decided: `match` is then the reviewer's"),
      })
      .optional()
      .describe('COMPLETED: the signed decision (per-frame details: read the session)'),
    reason: z.string().optional().describe('REJECTED / FAILED: the rejection reason (as `rejectionReason` on the session)'),
    missing: z.array(z.enum(FILE_KINDS)).optional().describe('EXPIRED: the files that never arrived'),
  })
  .meta({ id: WEBHOOK_EVENT_ID });

export type WebhookEvent = z.infer<typeof webhookEventSchema>;

export const WEBHOOK_SIGNATURE_DOC =
  'Sent once per final status, signed with the Standard Webhooks scheme (https://www.standardwebhooks.com): ' +
  '`webhook-signature` holds `v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<raw body>")>` where `key` is the ' +
  'base64-decoded part of your `whsec_…` secret after the prefix. Verify over the raw body before parsing, accept any of the ' +
  'space-separated signatures (during a secret rotation two are sent, one per secret), refuse a `webhook-timestamp` more than ' +
  '5 minutes from your clock, and deduplicate by `webhook-id`. Any Standard Webhooks library verifies it (e.g. npm `standardwebhooks`).';
