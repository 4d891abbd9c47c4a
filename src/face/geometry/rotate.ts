import type { RgbImage } from '../types.js';

export type QuarterTurns = 0 | 1 | 2 | 3;

/** The image turned clockwise by `turns` quarter turns. */
export function rotateImage(image: RgbImage, turns: QuarterTurns): RgbImage {
  if (turns === 0) return image;
  const { width: w, height: h, data } = image;
  const outW = turns === 2 ? w : h;
  const outH = turns === 2 ? h : w;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [ox, oy] = turns === 1 ? [h - 1 - y, x] : turns === 2 ? [w - 1 - x, h - 1 - y] : [y, w - 1 - x];
      const s = (y * w + x) * 3;
      const d = (oy * outW + ox) * 3;
      out[d] = data[s]!;
      out[d + 1] = data[s + 1]!;
      out[d + 2] = data[s + 2]!;
    }
  }
  return { width: outW, height: outH, data: out };
}
