import { z } from 'zod';
import {
  CHALLENGE_STEPS,
  CHECK_VERDICTS,
  FILE_KINDS,
  GATE_FAILURES,
  LIVENESS_CHECKS,
  LIVENESS_FAILURE_MEANING,
  LIVENESS_MODES,
  LIVENESS_REJECTIONS,
  LIVENESS_VERDICTS,
  REJECTION_REASONS,
  SESSION_STATUSES,
  type FaceMatchResult,
  type LivenessChallenge,
  type LivenessReport,
} from '../contract/face-similarity.js';
import { livenessOf, toResult } from '../db/comparison-rows.js';
import type { ReviewRow } from '../db/review-store.js';
import { reviewView, reviewViewSchema } from './review-view.js';
import type { FaceComparison } from '../generated/prisma/client.js';
import { receiptOf } from '../sessions/erasure.js';
import { RETAKE_CODES, retakeFor } from '../sessions/retake.js';
import type { SessionPage, SessionRead, SessionRecord } from '../sessions/sessions-service.js';
import { sessionReferenceSchema } from '../contract/session-reference.js';

export const livenessSchema = z.object({
  verdict: z.enum(LIVENESS_VERDICTS).describe('FAIL when an enforced check failed'),
  failedCheck: z.enum(LIVENESS_CHECKS).nullable(),
  checks: z.array(
    z.object({
      check: z.enum(LIVENESS_CHECKS),
      mode: z.enum(LIVENESS_MODES),
      verdict: z.enum(CHECK_VERDICTS),
      score: z.number().nullable(),
      threshold: z.number(),
      model: z.string().optional(),
      framesUsed: z.array(z.number().int()).describe('timestamps (ms) of the frames the check used'),
      detail: z.string(),
    }),
  ),
}).meta({ id: 'LivenessReport' });

/** The stored result as the API shows it: FaceMatchResult without its internal key (liveness has its own field). */
export const resultSchema = z.object({
  match: z.boolean(),
  similarity: z.number(),
  threshold: z.number(),
  detectorModel: z.string(),
  embedderModel: z.string(),
  executionProvider: z.string(),
  framesExamined: z.number().int(),
  framesWithFace: z.number().int(),
  videoRotation: z.number().int().optional().describe('clockwise degrees the frames were turned so the face stood upright'),
  frames: z
    .array(
      z.object({
        timestampMs: z.number().int(),
        faceFound: z.boolean(),
        quality: z.number().nullable(),
        similarity: z.number().nullable(),
        excludedBy: z.enum(GATE_FAILURES).nullable(),
        used: z.boolean().describe('averaged into the similarity'),
      }),
    )
    .describe('Every examined video frame: timestamp, quality and similarity; no pixels, no embeddings'),
});

export const erasureReceiptSchema = z
  .object({
    sessionId: z.string().uuid(),
    status: z.literal('DELETED'),
    erasedAt: z.string().datetime(),
    erasedBy: z.string().describe('id of the API key that asked'),
    deleted: z.object({
      blobs: z.number().int(),
      fileRows: z.number().int(),
      frameDetails: z.number().int(),
      storedResponses: z.number().int().optional().describe('stored Idempotency-Key responses about the session (they held its token)'),
      temporalHistory: z.boolean().describe('the run\'s history was deleted from Temporal'),
      temporalRuns: z.number().int().optional().describe('runs of the session\'s workflow deleted, resets included'),
      runTerminated: z.boolean().describe('the run was still waiting or comparing and was stopped'),
    }),
  })
  .describe('What an erasure removed: media, file rows, per-frame details and the Temporal history; the decision stays')
  .meta({ id: 'ErasureReceipt' });

const retakeSchema = z
  .object({
    file: z.enum(['SELFIE_VIDEO', 'ID_IMAGE', 'BOTH']).describe('what to capture again, in a new session'),
    code: z.enum(RETAKE_CODES),
    hint: z.string().describe('what to tell the person, in English'),
  })
  .nullable()
  .describe('For a REJECTED session: what the person should do differently next time');

export const sessionViewSchema = z.object({
  id: z.string().uuid(),
  reference: sessionReferenceSchema.nullable(),
  status: z.enum(SESSION_STATUSES),
  createdAt: z.string().datetime(),
  updatedAt: z.string().datetime(),
  completedAt: z.string().datetime().nullable(),
  files: z.array(
    z.object({
      kind: z.enum(FILE_KINDS),
      sha256: z.string(),
      bytes: z.number().int(),
      mediaType: z.string(),
      uploadedAt: z.string().datetime(),
    }),
  ),
  rejectionReason: z
    .string()
    .nullable()
    .describe(
      'Machine-readable reason when status is REJECTED or FAILED. REJECTED: ' +
        REJECTION_REASONS.map((r) => `\`${r}\``).join(', ') +
        '. `LIVENESS_*`: an enforced liveness check failed; `liveness` says which and why: ' +
        LIVENESS_CHECKS.map((c) => `\`${LIVENESS_REJECTIONS[c]}\` (${c}): ${LIVENESS_FAILURE_MEANING[c]}`).join('; ') +
        '. FAILED: `COMPARISON_FAILED` (retries exhausted), `TENANT_GPU_BUSY` (the tenant\'s GPU budget stayed full for an hour).',
    ),
  challenge: z
    .object({ steps: z.array(z.enum(CHALLENGE_STEPS)) })
    .nullable()
    .describe('The head turns the selfie video must show, in order, when the tenant enables the active challenge'),
  liveness: livenessSchema
    .nullable()
    .describe('Every liveness check with its mode, verdict, score, threshold and frames; present once a comparison ran, also when it rejected'),
  retake: retakeSchema,
  result: resultSchema
    .extend({
      margin: z.number().describe('similarity − threshold: how far the score sat from the decision (negative: below it)'),
    })
    .nullable(),
  review: reviewViewSchema,
  erasure: erasureReceiptSchema.nullable().describe('present when the session was erased on request (status DELETED)'),
}).meta({ id: 'Session' });

export const sessionSummarySchema = z
  .object({
    id: z.string().uuid(),
    reference: sessionReferenceSchema.nullable(),
    status: z.enum(SESSION_STATUSES),
    rejectionReason: z.string().nullable().describe('as in the session read'),
    filesReceived: z.array(z.enum(FILE_KINDS)).describe('the kinds uploaded so far'),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
    completedAt: z.string().datetime().nullable(),
  })
  .describe('A session in a list: read it by id for the result, liveness and review')
  .meta({ id: 'SessionSummary' });

export const sessionPageSchema = z.object({
  items: z.array(sessionSummarySchema),
  nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last page'),
});

/** A listed session: status and correlation only, so a page never verifies a signature per row. */
export function sessionSummary(row: SessionPage['items'][number]): z.infer<typeof sessionSummarySchema> {
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    rejectionReason: row.rejectionReason,
    filesReceived: FILE_KINDS.filter((kind) => row.files.some((f) => f.kind === kind)),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}

export const END_USER_DECISIONS = ['PENDING', 'VERIFIED', 'NOT_VERIFIED', 'RETAKE', 'EXPIRED', 'FAILED'] as const;

/**
 * What the end user's session token reads: where the session is and what to do next. No scores,
 * thresholds, per-frame similarities or the name of the liveness check that failed: a graded
 * answer would let an attacker tune a presentation attack against it.
 */
export const endUserViewSchema = z
  .object({
    id: z.string().uuid(),
    status: z.enum(SESSION_STATUSES),
    decision: z.enum(END_USER_DECISIONS).describe('PENDING until decided; VERIFIED or NOT_VERIFIED when compared; RETAKE when the capture was refused'),
    createdAt: z.string().datetime(),
    completedAt: z.string().datetime().nullable(),
    files: z.array(z.object({ kind: z.enum(FILE_KINDS), uploadedAt: z.string().datetime() })),
    challenge: z.object({ steps: z.array(z.enum(CHALLENGE_STEPS)) }).nullable(),
    retake: retakeSchema,
  })
  .describe('A session as its session token reads it (the mobile app, the capture page)')
  .meta({ id: 'SessionForEndUser' });

export type SessionView = z.infer<typeof sessionViewSchema>;


/** The tenant's view: everything, the decision only from a signed comparison (sessions/decisions.ts). */
export function sessionView({ session, decision, review }: Pick<SessionRead, 'session' | 'decision' | 'review'>): SessionView {
  const result = completedResult(decision);
  return {
    id: session.id,
    reference: session.reference,
    status: session.status,
    createdAt: session.createdAt.toISOString(),
    updatedAt: session.updatedAt.toISOString(),
    completedAt: session.completedAt?.toISOString() ?? null,
    files: session.files.map((f) => ({ kind: f.kind, sha256: f.sha256, bytes: f.sizeBytes, mediaType: f.mediaType, uploadedAt: f.createdAt.toISOString() })),
    rejectionReason: session.rejectionReason,
    challenge: challengeOf(session),
    liveness: decision ? livenessOf(decision) : null,
    retake: session.status === 'REJECTED' ? retakeFor(session.rejectionReason) : null,
    // A person's decision replaces the machine's match; the machine's stays in `review`.
    result: result && review?.decision && session.status === 'COMPLETED' ? { ...result, match: review.decision === 'APPROVE' } : result,
    review: review ? reviewView(review) : null,
    erasure: session.erasure ? receiptOf(session.erasure) : null,
  };
}

export function endUserView({ session, decision, review }: Pick<SessionRead, 'session' | 'decision' | 'review'>): z.infer<typeof endUserViewSchema> {
  return {
    id: session.id,
    status: session.status,
    decision: endUserDecision(session.status, decision, review),
    createdAt: session.createdAt.toISOString(),
    completedAt: session.completedAt?.toISOString() ?? null,
    files: session.files.map((f) => ({ kind: f.kind, uploadedAt: f.createdAt.toISOString() })),
    challenge: challengeOf(session),
    retake: session.status === 'REJECTED' ? retakeFor(session.rejectionReason) : null,
  };
}

function endUserDecision(status: SessionRecord['status'], decision: FaceComparison | null, review: ReviewRow | null): (typeof END_USER_DECISIONS)[number] {
  switch (status) {
    case 'AWAITING_FILES':
    case 'PROCESSING':
    case 'NEEDS_REVIEW':
      return 'PENDING';
    case 'COMPLETED':
      // Only a signed comparison's match counts; a completed session without one is a failure.
      if (decision?.status !== 'COMPLETED') return 'FAILED';
      return (review?.decision ? review.decision === 'APPROVE' : decision.match) ? 'VERIFIED' : 'NOT_VERIFIED';
    case 'REJECTED':
      return 'RETAKE';
    case 'EXPIRED':
      return 'EXPIRED';
    default:
      return 'FAILED';
  }
}

function challengeOf(session: SessionRecord): LivenessChallenge | null {
  return (session.livenessChallenge as LivenessChallenge | null) ?? null;
}

function completedResult(decision: FaceComparison | null): SessionView['result'] {
  if (!decision || decision.status !== 'COMPLETED') return null;
  const { comparisonKey: _key, liveness: _liveness, ...result } = toResult(decision);
  return { ...result, margin: Math.round((result.similarity - result.threshold) * 1e6) / 1e6 };
}

// The schemas above are written out for the OpenAPI document; these lines keep them the contract's
// shapes: a field added to or changed in FaceMatchResult or LivenessReport fails the build here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const resultMatchesContract: Same<z.infer<typeof resultSchema>, Omit<FaceMatchResult, 'comparisonKey' | 'liveness'>> = true;
const livenessMatchesContract: Same<z.infer<typeof livenessSchema>, LivenessReport> = true;
void resultMatchesContract;
void livenessMatchesContract;
