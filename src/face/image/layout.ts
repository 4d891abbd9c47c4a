import type { RgbImage } from '../types.js';

/**
 * Pixels to the NCHW float inputs of the models: the embedder's normalised planes here; the
 * detector's letterbox (geometry/resize.ts) and the anti-spoofing crop (liveness/anti-spoof-input.ts)
 * resample as they lay out, each as its reference implementation does.
 */

export interface EmbedderPreprocessing {
  channelOrder: 'RGB' | 'BGR';
  /** Per tensor channel, applied as (pixel / 255 - mean) / std. */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/**
 * An aligned RGB face to the embedder's NCHW float input, normalised as the model was trained;
 * written from index `at` of `tensor` (a batch's input) when one is given.
 */
export function toEmbedderTensor(face: RgbImage, pre: EmbedderPreprocessing, tensor = new Float32Array(3 * face.width * face.height), at = 0): Float32Array {
  const plane = face.width * face.height;
  const order = pre.channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  for (let c = 0; c < 3; c++) {
    const src = order[c]!;
    const mean = pre.mean[c]!;
    const scale = 1 / (255 * pre.std[c]!);
    const offset = mean / pre.std[c]!;
    const base = at + c * plane;
    for (let i = 0; i < plane; i++) tensor[base + i] = face.data[i * 3 + src]! * scale - offset;
  }
  return tensor;
}
