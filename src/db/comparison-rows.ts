import type { FaceMatchResult, FrameReport, LivenessReport } from '../contract/face-similarity.js';
import type { VerdictFields } from '../crypto/verdict-signature.js';
import type { FaceComparison, Prisma } from '../generated/prisma/client.js';

/** A comparison row read as the contract's shapes (pure mapping; the store owns the writes). */

/** The decision fields of a settled row, as the GPU worker signed them. */
export function verdictFieldsOf(row: FaceComparison): VerdictFields | null {
  if (row.status !== 'COMPLETED' && row.status !== 'REJECTED') return null;
  return {
    comparisonKey: row.comparisonKey,
    sessionId: row.sessionId,
    idImageSha256: row.idImageSha256,
    selfieVideoSha256: row.selfieVideoSha256,
    pipelineVersion: row.pipelineVersion,
    status: row.status,
    similarity: row.similarity,
    match: row.match,
    threshold: row.threshold,
    rejectionReason: row.rejectionReason,
  };
}

export function toResult(row: FaceComparison): FaceMatchResult {
  return {
    comparisonKey: row.comparisonKey,
    similarity: row.similarity ?? Number.NaN,
    match: row.match ?? false,
    threshold: row.threshold ?? Number.NaN,
    detectorModel: row.detectorModel ?? '',
    embedderModel: row.embedderModel ?? '',
    executionProvider: row.executionProvider ?? '',
    framesExamined: row.framesExamined ?? 0,
    framesWithFace: row.framesWithFace ?? 0,
    frames: (row.details as { frames?: FrameReport[] } | null)?.frames ?? [],
    ...((row.details as { videoRotation?: number } | null)?.videoRotation !== undefined
      ? { videoRotation: (row.details as { videoRotation: number }).videoRotation }
      : {}),
    ...(livenessOf(row) ? { liveness: livenessOf(row)! } : {}),
  };
}

/** A plain JSON copy: Prisma's JSON input type wants index signatures our interfaces lack. */
export function asJson(value: object): Prisma.InputJsonObject {
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonObject;
}

/** The liveness report stored with a comparison, completed or rejected; null before liveness existed. */
export function livenessOf(row: FaceComparison): LivenessReport | null {
  return (row.details as { liveness?: LivenessReport } | null)?.liveness ?? null;
}
