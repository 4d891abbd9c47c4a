import type { RgbImage } from '../types.js';

export type QuarterTurns = 0 | 1 | 2 | 3;

/** The image turned clockwise by `turns` quarter turns. */
export function rotateImage(image: RgbImage, turns: QuarterTurns): RgbImage {
  if (turns === 0) return image;
  const { width: w, height: h, data } = image;
  const outW = turns === 2 ? w : h;
  const outH = turns === 2 ? h : w;
  const out = new Uint8Array(data.length);
  // Source pixel (x, y) lands at `start + x * stepX + y * stepY` (in pixels) of the output: one
  // loop for every turn, with no per-pixel branch or allocation (it runs on whole frames).
  const [start, stepX, stepY] =
    turns === 1 ? [h - 1, outW, -1] : turns === 2 ? [outW * outH - 1, -1, -outW] : [(outH - 1) * outW, -outW, 1];
  for (let y = 0; y < h; y++) {
    let s = y * w * 3;
    let d = start + y * stepY;
    for (let x = 0; x < w; x++, s += 3, d += stepX) {
      const o = d * 3;
      out[o] = data[s]!;
      out[o + 1] = data[s + 1]!;
      out[o + 2] = data[s + 2]!;
    }
  }
  return { width: outW, height: outH, data: out };
}
