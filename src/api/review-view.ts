import { z } from 'zod';
import { REVIEW_DECISIONS, REVIEW_TRIGGERS } from '../contract/face-similarity.js';
import type { ReviewRow } from '../db/review-store.js';

/** A session's review as the API shows it, to the tenant and the reviewer (docs/operate.md "Human review"). */
export const reviewViewSchema = z
  .object({
    triggers: z.array(z.enum(REVIEW_TRIGGERS)).describe("why the machine's decision went to a person"),
    machineMatch: z.boolean().describe("the machine's match, before the review"),
    requestedAt: z.string().datetime(),
    dueAt: z.string().datetime().describe("when the tenant's timeout policy decides if nobody has"),
    onTimeout: z.enum(REVIEW_DECISIONS),
    decision: z.enum(REVIEW_DECISIONS).nullable().describe('null while waiting'),
    reasonCode: z.string().nullable(),
    decidedBy: z.string().nullable().describe('the reviewer key id, or `timeout-policy`'),
    decidedAt: z.string().datetime().nullable(),
  })
  .nullable()
  .describe('Present when the tenant\'s review policy sent the decision to a person: NEEDS_REVIEW while waiting; once decided, `result.match` is the review\'s');

export type ReviewView = NonNullable<z.infer<typeof reviewViewSchema>>;

export function reviewView(row: ReviewRow): ReviewView {
  return {
    triggers: row.triggers.filter((t): t is (typeof REVIEW_TRIGGERS)[number] => (REVIEW_TRIGGERS as readonly string[]).includes(t)),
    machineMatch: row.machineMatch,
    requestedAt: row.requestedAt.toISOString(),
    dueAt: row.dueAt.toISOString(),
    onTimeout: row.onTimeout === 'APPROVE' ? 'APPROVE' : 'REJECT',
    decision: row.decision === 'APPROVE' || row.decision === 'REJECT' ? row.decision : null,
    reasonCode: row.reasonCode,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt?.toISOString() ?? null,
  };
}
