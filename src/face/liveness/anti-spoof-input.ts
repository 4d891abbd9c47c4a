/**
 * Pure preprocessing of MiniFASNet (Silent-Face-Anti-Spoofing): a crop around the face box
 * scaled by the model's factor, shifted (not clipped) back inside the frame, resized to 80x80
 * with bilinear sampling, laid out NCHW as BGR 0..255 floats. BGR matters: with RGB both spoof
 * samples of the reference check come out "real".
 */
import type { Box, RgbImage } from '../types.js';

export interface CropWindow {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Silent-Face's `_get_new_box`: inclusive integer corners of the scaled, shifted crop. */
export function antiSpoofCrop(frameWidth: number, frameHeight: number, box: Box, scaleFactor: number): CropWindow {
  const scale = Math.min((frameHeight - 1) / box.height, (frameWidth - 1) / box.width, scaleFactor);
  const w = box.width * scale;
  const h = box.height * scale;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  let x0 = cx - w / 2, y0 = cy - h / 2, x1 = cx + w / 2, y1 = cy + h / 2;
  if (x0 < 0) { x1 -= x0; x0 = 0; }
  if (y0 < 0) { y1 -= y0; y0 = 0; }
  if (x1 > frameWidth - 1) { x0 -= x1 - frameWidth + 1; x1 = frameWidth - 1; }
  if (y1 > frameHeight - 1) { y0 -= y1 - frameHeight + 1; y1 = frameHeight - 1; }
  return { x0: Math.trunc(x0), y0: Math.trunc(y0), x1: Math.trunc(x1), y1: Math.trunc(y1) };
}

/**
 * The crop resized to `size` x `size` as cv2.resize(INTER_LINEAR) does (half-pixel centres,
 * edge clamped), as NCHW BGR floats in 0..255; written from index `first` of `out` (a batch's
 * input) when one is given.
 */
export function antiSpoofTensor(image: RgbImage, crop: CropWindow, size: number, out = new Float32Array(3 * size * size), first = 0): Float32Array {
  const cw = crop.x1 - crop.x0 + 1;
  const ch = crop.y1 - crop.y0 + 1;
  const plane = size * size;
  const sx = cw / size;
  const sy = ch / size;
  const { width, data } = image;
  const at = (x: number, y: number, c: number) => data[((crop.y0 + y) * width + crop.x0 + x) * 3 + c]!;
  for (let oy = 0; oy < size; oy++) {
    const fy = Math.min(ch - 1, Math.max(0, (oy + 0.5) * sy - 0.5));
    const y0 = Math.min(Math.floor(fy), Math.max(0, ch - 2));
    const wy = fy - y0;
    const y1 = Math.min(ch - 1, y0 + 1);
    for (let ox = 0; ox < size; ox++) {
      const fx = Math.min(cw - 1, Math.max(0, (ox + 0.5) * sx - 0.5));
      const x0 = Math.min(Math.floor(fx), Math.max(0, cw - 2));
      const wx = fx - x0;
      const x1 = Math.min(cw - 1, x0 + 1);
      const p = oy * size + ox;
      for (let c = 0; c < 3; c++) {
        const top = at(x0, y0, c) * (1 - wx) + at(x1, y0, c) * wx;
        const bottom = at(x0, y1, c) * (1 - wx) + at(x1, y1, c) * wx;
        // Plane 0 is blue: RGB channel 2 goes first.
        out[first + (2 - c) * plane + p] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return out;
}

/** Softmax of one logit vector. */
export function softmax(logits: ArrayLike<number>): number[] {
  const max = Math.max(...Array.from(logits));
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / sum);
}

/** Fuses the models' softmax vectors as Silent-Face does: sum them; real = sum[1] / count. */
export function fuseRealProbability(probabilities: readonly number[][]): number {
  if (probabilities.length === 0) throw new Error('no anti-spoofing scores to fuse');
  return probabilities.reduce((sum, p) => sum + (p[1] ?? 0), 0) / probabilities.length;
}
