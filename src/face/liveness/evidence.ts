/** What the pipeline keeps of each sampled frame for the liveness checks: no pixels beyond thumbnails. */
import type { Point } from '../types.js';

/** Side of the grey thumbnails compared for motion. */
export const THUMB_SIDE = 32;

export interface FrameEvidence {
  timestampMs: number;
  face?: {
    landmarks: readonly Point[];
    /** The aligned face, grey, THUMB_SIDE², 0..255: motion left after removing the similarity motion. */
    alignedThumb: Float32Array;
    /** The aligned face, grey, PATCH_SIDE², registered densely for planarity. */
    alignedPatch: Float32Array;
    /** Cosine similarity to the ID face, when the frame passed the quality gates. */
    similarity: number | null;
  };
}

/** Mean absolute difference of two equally sized grey thumbnails. */
export function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
