import type { RgbImage } from '../types.js';

/** Aligned faces (112² and the like) share one buffer: each measure reads its luma before the next is taken. */
const SCRATCH_PIXELS = 256 * 256;
const lumaScratch = new Float32Array(SCRATCH_PIXELS);

/** BT.601 luma of each pixel; of a face-sized image, in a buffer valid until the next call. */
function luma(image: RgbImage): Float32Array {
  const n = image.width * image.height;
  const out = n <= SCRATCH_PIXELS ? lumaScratch.subarray(0, n) : new Float32Array(n);
  for (let i = 0, p = 0; i < out.length; i++, p += 3) {
    out[i] = 0.299 * image.data[p]! + 0.587 * image.data[p + 1]! + 0.114 * image.data[p + 2]!;
  }
  return out;
}

/** Mean luma, 0..255. */
export function brightness(image: RgbImage): number {
  const y = luma(image);
  let sum = 0;
  for (const v of y) sum += v;
  return sum / y.length;
}

/**
 * Sharpness as the variance of the 4-neighbour Laplacian over the interior pixels: blur removes
 * the high frequencies the Laplacian responds to, so a blurred face scores low.
 */
export function sharpness(image: RgbImage): number {
  const { width: w, height: h } = image;
  if (w < 3 || h < 3) return 0;
  const y = luma(image);
  let sum = 0, sumSq = 0, n = 0;
  for (let r = 1; r < h - 1; r++) {
    for (let c = 1; c < w - 1; c++) {
      const i = r * w + c;
      const lap = y[i - 1]! + y[i + 1]! + y[i - w]! + y[i + w]! - 4 * y[i]!;
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  const mean = sum / n;
  return sumSq / n - mean * mean;
}
