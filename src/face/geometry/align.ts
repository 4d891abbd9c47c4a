/**
 * Five-point face alignment: the least-squares similarity transform (rotation, uniform scale,
 * translation; no reflection, as Umeyama's method gives) from detected landmarks to the
 * ArcFace 112x112 template, then a bilinear warp with OpenCV's sampling conventions.
 */
import type { Point, RgbImage } from '../types.js';

/** The standard ArcFace / InsightFace 112x112 template, in YuNet's landmark order. */
export const ARCFACE_TEMPLATE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/** Row-major 2x3 affine matrix [a, b, c, d, e, f]: x' = a*x + b*y + c, y' = d*x + e*y + f. */
export type Affine = readonly [number, number, number, number, number, number];

/**
 * Similarity transform mapping `src` points onto `dst` points in the least-squares sense.
 * In 2-D this has a closed form: treating points as complex numbers, the rotation-and-scale
 * factor is sum(conj(s') * d') / sum(|s'|^2) over the centred points.
 */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): Affine {
  if (src.length !== dst.length || src.length < 2) throw new Error('need at least two matching point pairs');
  const n = src.length;
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]![0]; sy += src[i]![1]; dx += dst[i]![0]; dy += dst[i]![1];
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let re = 0, im = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]![0] - sx, py = src[i]![1] - sy;
    const qx = dst[i]![0] - dx, qy = dst[i]![1] - dy;
    re += px * qx + py * qy;
    im += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm === 0) throw new Error('landmarks are degenerate (all at one point)');
  const a = re / norm;
  const b = im / norm;
  return [a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)];
}

export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (det === 0) throw new Error('affine transform is not invertible');
  const ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

export function applyAffine(m: Affine, [x, y]: Point): Point {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/**
 * Warps `image` by `forward` (image -> output coordinates) into an output of the given size,
 * sampling bilinearly; pixels mapped from outside the image are black, as cv2.warpAffine does.
 */
export function warpAffine(image: RgbImage, forward: Affine, width: number, height: number): RgbImage {
  const inv = invertAffine(forward);
  const out = new Uint8Array(width * height * 3);
  const { width: w, height: h, data } = image;
  const row = w * 3;
  for (let oy = 0, o = 0; oy < height; oy++) {
    for (let ox = 0; ox < width; ox++, o += 3) {
      const x = inv[0] * ox + inv[1] * oy + inv[2];
      const y = inv[3] * ox + inv[4] * oy + inv[5];
      const x0 = Math.floor(x), y0 = Math.floor(y);
      const fx = x - x0, fy = y - y0;
      // The four neighbours' offsets, or -1 for one outside the image (it reads as black).
      const inX0 = x0 >= 0 && x0 < w, inX1 = x0 + 1 >= 0 && x0 + 1 < w;
      const inY0 = y0 >= 0 && y0 < h, inY1 = y0 + 1 >= 0 && y0 + 1 < h;
      const base = y0 * row + x0 * 3;
      const i00 = inX0 && inY0 ? base : -1;
      const i10 = inX1 && inY0 ? base + 3 : -1;
      const i01 = inX0 && inY1 ? base + row : -1;
      const i11 = inX1 && inY1 ? base + row + 3 : -1;
      for (let ch = 0; ch < 3; ch++) {
        const top = (i00 < 0 ? 0 : data[i00 + ch]!) * (1 - fx) + (i10 < 0 ? 0 : data[i10 + ch]!) * fx;
        const bottom = (i01 < 0 ? 0 : data[i01 + ch]!) * (1 - fx) + (i11 < 0 ? 0 : data[i11 + ch]!) * fx;
        out[o + ch] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { width, height, data: out };
}

const templateAt = (size: number): readonly Point[] => (size === 112 ? ARCFACE_TEMPLATE_112 : ARCFACE_TEMPLATE_112.map(([x, y]) => [(x * size) / 112, (y * size) / 112] as const));

export function alignFace(image: RgbImage, landmarks: readonly Point[], size = 112): RgbImage {
  return warpAffine(image, estimateSimilarity(landmarks, templateAt(size)), size, size);
}

/** How much aligning these landmarks to a `size` square enlarges the face (above 1: upsampled). */
export function alignmentScale(landmarks: readonly Point[], size = 112): number {
  const [a, b] = estimateSimilarity(landmarks, templateAt(size));
  return Math.hypot(a, b);
}
