import type { FrameReport } from '../../contract/face-similarity.js';
import { MediaRejectedError } from '../../media/errors.js';
import { DOCUMENT_REJECTIONS, VIDEO_REJECTIONS, commonestFailure, type GateFailure } from '../quality/gates.js';
import type { DetectedFace } from '../types.js';

/**
 * The pure decision steps of a comparison: which face of the ID counts, which frames of the
 * video count, and what they add up to. No models, no I/O: the pipeline measures, this decides.
 */

/** A second face at least this fraction of the largest one's area makes the ID ambiguous. */
export const SECOND_FACE_AREA_RATIO = 0.5;

export function area(face: DetectedFace): number {
  return face.box.width * face.box.height;
}

export function largestFace(faces: readonly DetectedFace[]): DetectedFace | undefined {
  return faces.reduce<DetectedFace | undefined>((best, f) => (best === undefined || area(f) > area(best) ? f : best), undefined);
}

/**
 * Refuses an ID image whose face cannot be trusted: none, two of similar size (whose card is it?),
 * or one that failed a quality gate.
 */
export function checkDocumentFace(faces: readonly DetectedFace[], chosen: DetectedFace | undefined, failure: GateFailure | undefined): void {
  if (!chosen) throw new MediaRejectedError('NO_FACE_ON_DOCUMENT', 'no face found on the ID image');
  const second = faces.filter((f) => f !== chosen).reduce((max, f) => Math.max(max, area(f)), 0);
  if (second >= SECOND_FACE_AREA_RATIO * area(chosen)) {
    throw new MediaRejectedError('MULTIPLE_FACES_ON_DOCUMENT', `${faces.length} faces of similar size on the ID image`);
  }
  if (failure) throw new MediaRejectedError(DOCUMENT_REJECTIONS[failure], `the ID face fails the ${failure} gate`);
}

/**
 * The K usable frames of highest quality. Quality rather than similarity picks them, so a video
 * cannot pass on one lucky frame; averaging several smooths out blur and pose.
 */
export function bestFrames<T extends { quality: number | null }>(frames: readonly T[], bestK: number): T[] {
  return [...frames].sort((a, b) => (b.quality ?? 0) - (a.quality ?? 0)).slice(0, Math.max(1, bestK));
}

/** Mean similarity of the K highest-quality frames. */
export function aggregate(frames: readonly { quality: number | null; similarity: number | null }[], bestK: number): number {
  const best = bestFrames(frames, bestK);
  return best.reduce((sum, f) => sum + (f.similarity ?? 0), 0) / best.length;
}

export interface VideoVerdict {
  similarity: number;
  match: boolean;
  framesWithFace: number;
}

/**
 * The video's verdict from its frame reports: rejected when no frame shows a face or none
 * passed the gates (naming the gate most frames failed: what the user should fix), otherwise
 * the mean of the best frames against the threshold. Marks the frames it used.
 */
export function decideVideo(frames: FrameReport[], settings: { bestFrames: number; matchThreshold: number }): VideoVerdict {
  const framesWithFace = frames.filter((f) => f.faceFound).length;
  if (framesWithFace === 0) throw new MediaRejectedError('NO_FACE_IN_VIDEO', `no face found in ${frames.length} sampled frames`);
  const usable = frames.filter((f) => f.similarity !== null);
  if (usable.length === 0) {
    const failure = commonestFailure(frames.flatMap((f) => (f.excludedBy ? [f.excludedBy] : []))) ?? 'TOO_BLURRY';
    throw new MediaRejectedError(VIDEO_REJECTIONS[failure], `no frame passed the quality gates (${framesWithFace} with a face)`);
  }
  const best = bestFrames(usable, settings.bestFrames);
  for (const f of best) f.used = true;
  const similarity = round(aggregate(best, best.length));
  return { similarity, match: similarity >= settings.matchThreshold, framesWithFace };
}

export function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
