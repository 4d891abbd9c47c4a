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
import { livenessOf, toResult } from '../db/comparison-store.js';
import type { FaceComparison, KycSession, SessionErasure, UploadedFile } from '../generated/prisma/client.js';
import { receiptOf } from '../lifecycle/erasure.js';

const livenessSchema = z.object({
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
});

/** The stored result as the API shows it: FaceMatchResult without its internal key (liveness has its own field). */
const resultSchema = z.object({
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
      temporalHistory: z.boolean().describe('the run\'s history was deleted from Temporal'),
      runTerminated: z.boolean().describe('the run was still waiting or comparing and was stopped'),
    }),
  })
  .describe('What an erasure removed: media, file rows, per-frame details and the Temporal history; the decision stays');

export const sessionViewSchema = z.object({
  id: z.string().uuid(),
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
  result: resultSchema.nullable(),
  erasure: erasureReceiptSchema.nullable().describe('present when the session was erased on request (status DELETED)'),
});

export type SessionView = z.infer<typeof sessionViewSchema>;


export function sessionView(session: KycSession & { files: UploadedFile[]; erasure?: SessionErasure | null }, comparison: FaceComparison | null): SessionView {
  return {
    id: session.id,
    status: session.status,
    createdAt: session.createdAt.toISOString(),
    updatedAt: session.updatedAt.toISOString(),
    completedAt: session.completedAt?.toISOString() ?? null,
    files: session.files.map((f) => ({
      kind: f.kind,
      sha256: f.sha256,
      bytes: f.sizeBytes,
      mediaType: f.mediaType,
      uploadedAt: f.createdAt.toISOString(),
    })),
    rejectionReason: session.rejectionReason,
    challenge: (session.livenessChallenge as LivenessChallenge | null) ?? null,
    liveness: comparison ? livenessOf(comparison) : null,
    result:
      comparison && comparison.status === 'COMPLETED'
        ? (({ comparisonKey: _key, liveness: _liveness, ...result }) => result)(toResult(comparison))
        : null,
    erasure: session.erasure ? receiptOf(session.erasure) : null,
  };
}

// The schemas above are written out for the OpenAPI document; these lines keep them the contract's
// shapes: a field added to or changed in FaceMatchResult or LivenessReport fails the build here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const resultMatchesContract: Same<z.infer<typeof resultSchema>, Omit<FaceMatchResult, 'comparisonKey' | 'liveness'>> = true;
const livenessMatchesContract: Same<z.infer<typeof livenessSchema>, LivenessReport> = true;
void resultMatchesContract;
void livenessMatchesContract;
