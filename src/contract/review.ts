import { z } from 'zod';

/**
 * Human review: a decision the machine should not take alone waits, in the session's workflow,
 * for a reviewer's `submitReview` Update. Pure (bundled into the workflow sandbox).
 */

export const REVIEW_DECISIONS = ['APPROVE', 'REJECT'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** Why a reviewer decided as they did; the approve and reject codes are disjoint. */
export const REVIEW_REASON_CODES = {
  APPROVE: ['SAME_PERSON', 'VERIFIED_OTHERWISE'],
  REJECT: ['DIFFERENT_PERSON', 'SUSPECTED_SPOOF', 'UNUSABLE_MEDIA', 'OTHER'],
} as const satisfies Record<ReviewDecision, readonly string[]>;
export const ALL_REVIEW_REASON_CODES = [...REVIEW_REASON_CODES.APPROVE, ...REVIEW_REASON_CODES.REJECT] as const;

/** Why the machine's decision went to a person (a tenant's review policy names which apply). */
export const REVIEW_TRIGGERS = ['SIMILARITY_NEAR_THRESHOLD', 'LIVENESS_REPORT_FAILED', 'ALWAYS'] as const;
export type ReviewTrigger = (typeof REVIEW_TRIGGERS)[number];

/**
 * A tenant's review policy; none (the default) means every decision is the machine's.
 * `similarityBand`: review when |similarity − threshold| ≤ band. `livenessReportFailures`: review
 * when a check the tenant runs in `report` mode failed. `always`: every decided session (a pilot).
 * `timeoutMs`: how long a session waits for a reviewer; then `onTimeout` decides.
 * `serviceLevelMs`: the age past which a waiting review is overdue (metrics, alert).
 */
export const reviewPolicySchema = z
  .object({
    similarityBand: z.number().min(0).max(0.3).default(0),
    livenessReportFailures: z.boolean().default(false),
    always: z.boolean().default(false),
    timeoutMs: z.number().int().min(60_000).max(30 * 24 * 3_600_000).default(72 * 3_600_000),
    onTimeout: z.enum(REVIEW_DECISIONS).default('REJECT'),
    serviceLevelMs: z.number().int().min(60_000).max(30 * 24 * 3_600_000).default(24 * 3_600_000),
  })
  .strict();
export type ReviewPolicy = z.infer<typeof reviewPolicySchema>;

/** What a reviewer submits; `note` is free text for the audit trail (no PII by policy, bounded). */
export const reviewSubmissionSchema = z
  .object({
    decision: z.enum(REVIEW_DECISIONS),
    reasonCode: z.enum(ALL_REVIEW_REASON_CODES),
    note: z.string().max(500).optional(),
  })
  .refine((s) => (REVIEW_REASON_CODES[s.decision] as readonly string[]).includes(s.reasonCode), 'the reason code does not belong to the decision');
export type ReviewSubmission = z.infer<typeof reviewSubmissionSchema>;

/** Who took the final decision of a reviewed session, and what the machine had said. */
export interface ReviewRecord {
  decision: ReviewDecision;
  reasonCode: string;
  /** An API key id of a reviewer, or `timeout-policy` when nobody decided in time. */
  decidedBy: string;
  decidedAt: string;
  machineMatch: boolean;
  triggers: ReviewTrigger[];
}

/** The recording side's answer when a decision must wait for a person (v8 on). */
export interface ReviewRequired {
  status: 'NEEDS_REVIEW';
  triggers: ReviewTrigger[];
  waitMs: number;
}

/** Guards the review step added in v8, so older histories replay without it. */
export const REVIEW_PATCH = 'human-review';
