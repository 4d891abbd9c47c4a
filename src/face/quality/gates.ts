import { GATE_FAILURES, type GateFailure, type RejectionReason } from '../../contract/face-similarity.js';
import { brightness, sharpness, type LumaPlane } from '../image/luma.js';
import type { DetectedFace } from '../types.js';

export type { GateFailure } from '../../contract/face-similarity.js';

export interface QualityGates {
  /** Short side of the face box, in pixels of the original image. */
  minFacePx: number;
  /** Variance of the Laplacian of the face's luma at its native resolution (nativeFaceLuma). */
  minSharpness: number;
  /** Mean luma of the aligned face, 0..255. */
  minBrightness: number;
  maxBrightness: number;
}

export interface FaceMeasures {
  facePx: number;
  sharpness: number;
  brightness: number;
}

/**
 * The face's size from its box, its exposure from the aligned face's luma, its sharpness from
 * `native`: the face aligned at no more than its own resolution. A small sharp face upsampled to
 * the embedder's 112 pixels would look blurred; judged at its own size it is as sharp as it is.
 */
export function measureFace(face: DetectedFace, luma: LumaPlane, native: LumaPlane = luma): FaceMeasures {
  return { facePx: Math.min(face.box.width, face.box.height), sharpness: sharpness(native), brightness: brightness(luma) };
}

/** The smallest face the sharpness is measured on: below it, a Laplacian's variance says little. */
export const MIN_NATIVE_FACE_SIDE = 32;

/** The side at which the aligned face is at (no more than) its own resolution, given its alignment scale to `size`. */
export function nativeSide(scale: number, size: number): number {
  return scale <= 1 ? size : Math.max(MIN_NATIVE_FACE_SIDE, Math.round(size / scale));
}

/** The first gate the face fails, in a fixed order, or undefined when it passes them all. */
export function firstFailure(m: FaceMeasures, gates: QualityGates): GateFailure | undefined {
  if (m.facePx < gates.minFacePx) return 'FACE_TOO_SMALL';
  if (m.brightness < gates.minBrightness) return 'TOO_DARK';
  if (m.brightness > gates.maxBrightness) return 'TOO_BRIGHT';
  if (m.sharpness < gates.minSharpness) return 'TOO_BLURRY';
  return undefined;
}

export const DOCUMENT_REJECTIONS: Record<GateFailure, RejectionReason> = {
  FACE_TOO_SMALL: 'FACE_TOO_SMALL_ON_DOCUMENT',
  TOO_BLURRY: 'DOCUMENT_TOO_BLURRY',
  TOO_DARK: 'DOCUMENT_TOO_DARK',
  TOO_BRIGHT: 'DOCUMENT_TOO_BRIGHT',
};

export const VIDEO_REJECTIONS: Record<GateFailure, RejectionReason> = {
  FACE_TOO_SMALL: 'FACE_TOO_SMALL_IN_VIDEO',
  TOO_BLURRY: 'VIDEO_TOO_BLURRY',
  TOO_DARK: 'VIDEO_TOO_DARK',
  TOO_BRIGHT: 'VIDEO_TOO_BRIGHT',
};

/** The failure most frames share (ties go to the earlier gate): what to tell the user to fix. */
export function commonestFailure(failures: readonly GateFailure[]): GateFailure | undefined {
  let best: GateFailure | undefined;
  let bestCount = 0;
  for (const gate of GATE_FAILURES) {
    const count = failures.filter((f) => f === gate).length;
    if (count > bestCount) {
      best = gate;
      bestCount = count;
    }
  }
  return best;
}
