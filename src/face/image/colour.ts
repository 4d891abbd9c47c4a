import type { Box, RgbImage } from '../types.js';

/** Mean channel spread below which a face counts as colourless (H.264's 4:2:0 rounding stays under 1). */
const GREY_MAX_MEAN_SPREAD = 2;

/**
 * Whether the face in `box` has no colour: a greyscale camera mode, a black-and-white re-encode.
 * The spread is max(R,G,B) − min(R,G,B) per pixel, averaged over the box (every 2nd pixel each way).
 */
export function isColourless(image: RgbImage, box: Box): boolean {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(image.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(image.height, Math.ceil(box.y + box.height));
  let spread = 0;
  let n = 0;
  for (let y = y0; y < y1; y += 2) {
    for (let x = x0; x < x1; x += 2) {
      const p = (y * image.width + x) * 3;
      const r = image.data[p]!, g = image.data[p + 1]!, b = image.data[p + 2]!;
      spread += Math.max(r, g, b) - Math.min(r, g, b);
      n++;
    }
  }
  return n > 0 && spread / n < GREY_MAX_MEAN_SPREAD;
}
