import type { LivenessReport } from './liveness.js';
import type { GateFailure } from './media.js';
import type { ReviewRecord } from './review.js';

/** One examined video frame: no pixels, no embedding. */
export interface FrameReport {
  timestampMs: number;
  faceFound: boolean;
  /** Detection score x size x frontalness, 0..1; null without a face. */
  quality: number | null;
  /** Cosine similarity to the ID face; null when the frame was not used. */
  similarity: number | null;
  /** The quality gate that excluded the frame, if one did. */
  excludedBy: GateFailure | null;
  /** Whether the frame is among those the similarity was averaged over. */
  used: boolean;
}

/**
 * A comparison's full result, as Postgres stores it and the API returns it: the one definition
 * of it. Workflow histories carry only its verdict (below), never the per-frame details.
 */
export interface FaceMatchResult {
  /** The comparison's key from its business inputs (ComparisonStore's unique key). */
  comparisonKey: string;
  similarity: number;
  match: boolean;
  threshold: number;
  detectorModel: string;
  embedderModel: string;
  executionProvider: string;
  framesExamined: number;
  framesWithFace: number;
  frames: FrameReport[];
  /** Clockwise degrees the frames were turned so the face stood upright (a phone held upside down). */
  videoRotation?: number;
  /** Absent on results stored before liveness existed. */
  liveness?: LivenessReport;
}

/**
 * What a history holds of a completed comparison: the decision and the key of the full result.
 * Histories recorded before v4 hold the whole FaceMatchResult here; only these fields are read.
 * It is a claim, not evidence: the recording side reads the decision from the signed row it names.
 */
export type FaceMatchVerdict = Pick<FaceMatchResult, 'comparisonKey' | 'similarity' | 'match' | 'threshold'> & {
  livenessVerdict?: LivenessReport['verdict'];
  /** Set when a person (or the review timeout policy) took the decision: `match` is theirs. */
  review?: ReviewRecord;
};

export function verdictOf(result: FaceMatchResult): FaceMatchVerdict {
  return {
    comparisonKey: result.comparisonKey,
    similarity: result.similarity,
    match: result.match,
    threshold: result.threshold,
    ...(result.liveness ? { livenessVerdict: result.liveness.verdict } : {}),
  };
}

/** The comparison key of a verdict, also from histories recorded before v4 (which called it idempotencyKey). */
export function comparisonKeyOf(verdict: FaceMatchVerdict): string {
  return verdict.comparisonKey ?? (verdict as { idempotencyKey?: string }).idempotencyKey ?? '';
}
