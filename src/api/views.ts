import { z } from 'zod';
import { FILE_KINDS } from '../contract/face-similarity.js';
import { toResult } from '../db/comparison-store.js';
import type { FaceComparison, KycSession, UploadedFile } from '../generated/prisma/client.js';

export const sessionViewSchema = z.object({
  id: z.string().uuid(),
  status: z.enum(['AWAITING_FILES', 'PROCESSING', 'COMPLETED', 'REJECTED', 'EXPIRED', 'FAILED']),
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
  rejectionReason: z.string().nullable().describe('Machine-readable reason when status is REJECTED or FAILED'),
  result: z
    .object({
      match: z.boolean(),
      similarity: z.number(),
      threshold: z.number(),
      detectorModel: z.string(),
      embedderModel: z.string(),
      executionProvider: z.string(),
      framesExamined: z.number().int(),
      framesWithFace: z.number().int(),
      frames: z
        .array(
          z.object({
            timestampMs: z.number().int(),
            faceFound: z.boolean(),
            quality: z.number().nullable(),
            similarity: z.number().nullable(),
            excludedBy: z.enum(['FACE_TOO_SMALL', 'TOO_BLURRY', 'TOO_DARK', 'TOO_BRIGHT']).nullable(),
            used: z.boolean().describe('averaged into the similarity'),
          }),
        )
        .describe('Every examined video frame: timestamp, quality and similarity; no pixels, no embeddings'),
    })
    .nullable(),
});

export type SessionView = z.infer<typeof sessionViewSchema>;

export function sessionView(session: KycSession & { files: UploadedFile[] }, comparison: FaceComparison | null): SessionView {
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
    result:
      comparison && comparison.status === 'COMPLETED'
        ? (({ idempotencyKey: _key, ...result }) => result)(toResult(comparison))
        : null,
  };
}
