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

/** Box-filtered grey thumbnail of interleaved RGB (THUMB_SIDE² for motion, PATCH_SIDE² for planarity). */
export function greyThumb(data: Uint8Array, width: number, height: number, side = THUMB_SIDE): Float32Array {
  const out = new Float32Array(side * side);
  const counts = new Float32Array(side * side);
  for (let y = 0; y < height; y++) {
    const ty = Math.min(side - 1, Math.floor((y * side) / height));
    for (let x = 0; x < width; x++) {
      const tx = Math.min(side - 1, Math.floor((x * side) / width));
      const p = (y * width + x) * 3;
      const t = ty * side + tx;
      out[t]! += 0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!;
      counts[t]! += 1;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = counts[i]! > 0 ? out[i]! / counts[i]! : 0;
  return out;
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
