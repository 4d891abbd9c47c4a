import type { RgbImage } from '../types.js';

/**
 * The grey levels of an aligned face, computed once per face and read by every measure that needs
 * them: the quality gates (brightness, sharpness) and the liveness thumbnails (motion, planarity).
 * Four passes over the RGB pixels became one.
 */
export interface LumaPlane {
  width: number;
  height: number;
  /** BT.601 luma of each pixel, in double precision (the thumbnails average these values). */
  values: Float64Array;
}

export function lumaPlane(image: RgbImage): LumaPlane {
  const n = image.width * image.height;
  const values = new Float64Array(n);
  const data = image.data;
  for (let i = 0, p = 0; i < n; i++, p += 3) values[i] = 0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!;
  return { width: image.width, height: image.height, values };
}

// The quality measures read luma as single-precision values (as they always have): the gates'
// thresholds were calibrated on those, so the same rounding keeps every decision bit-identical.
const f32 = Math.fround;

/** Mean luma, 0..255. */
export function brightness(plane: LumaPlane): number {
  let sum = 0;
  for (const v of plane.values) sum += f32(v);
  return sum / plane.values.length;
}

/**
 * Sharpness as the weaker of the two directional second derivatives' variances, over the interior
 * pixels: defocus removes the high frequencies in every direction, a shake removes them along its
 * streak only, which an isotropic measure (the Laplacian) averages away. A blurred face scores low.
 */
export function sharpness(plane: LumaPlane): number {
  const { width: w, height: h, values: y } = plane;
  if (w < 3 || h < 3) return 0;
  let sx = 0, sxx = 0, sy = 0, syy = 0, n = 0;
  for (let r = 1; r < h - 1; r++) {
    for (let c = 1; c < w - 1; c++) {
      const i = r * w + c;
      const centre = 2 * f32(y[i]!);
      const dxx = f32(y[i - 1]!) + f32(y[i + 1]!) - centre;
      const dyy = f32(y[i - w]!) + f32(y[i + w]!) - centre;
      sx += dxx;
      sxx += dxx * dxx;
      sy += dyy;
      syy += dyy * dyy;
      n++;
    }
  }
  return Math.min(sxx / n - (sx / n) ** 2, syy / n - (sy / n) ** 2);
}

/** Box-filtered grey thumbnail, side x side: each cell the mean luma of the pixels that fall in it. */
export function boxThumb(plane: LumaPlane, side: number): Float32Array {
  const { width, height, values } = plane;
  const out = new Float32Array(side * side);
  const counts = new Float32Array(side * side);
  for (let y = 0; y < height; y++) {
    const ty = Math.min(side - 1, Math.floor((y * side) / height));
    for (let x = 0; x < width; x++) {
      const tx = Math.min(side - 1, Math.floor((x * side) / width));
      const t = ty * side + tx;
      out[t]! += values[y * width + x]!;
      counts[t]! += 1;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = counts[i]! > 0 ? out[i]! / counts[i]! : 0;
  return out;
}
