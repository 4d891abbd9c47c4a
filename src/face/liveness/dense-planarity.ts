/**
 * Dense planarity: how well one homography explains the change of the whole face between two
 * frames. A flat picture (a print, a screen, a card) moved, tilted or zoomed in front of a camera
 * changes by exactly one homography, pixel for pixel; a live face does not (the nose and cheeks
 * move against each other as the head turns, the eyes blink, the mouth talks). Five landmarks are
 * too few and too noisy for this (their jitter is as large as a real nose's parallax), so the
 * homography is fitted to every pixel of the aligned face by inverse-compositional Lucas-Kanade
 * (Baker & Matthews, IJCV 2004) and what it cannot explain is the score.
 */

/** Side of the grey face patches registered (the aligned face, box-filtered down). */
export const PATCH_SIDE = 56;
/** Two binomial passes (σ ≈ 1.4 px at PATCH_SIDE): the aliasing floor of a 1-px shift drops from 0.10 to 0.013. */
const BLUR_PASSES = 2;

type Mat3 = [number, number, number, number, number, number, number, number, number];

const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

function mul(a: Mat3, b: Mat3): Mat3 {
  const out = new Array<number>(9) as Mat3;
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) out[r * 3 + c] = a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!;
  return out;
}

function invert(m: Mat3): Mat3 | undefined {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-12) return undefined;
  const inv: Mat3 = [A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d];
  return inv.map((v) => v / det) as Mat3;
}

/** Solves the 8x8 normal equations (Gaussian elimination with partial pivoting, on a copy). */
function solve8(h: Float64Array, b: Float64Array): Float64Array | undefined {
  const n = 8;
  const m = new Float64Array(n * (n + 1));
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) m[r * (n + 1) + c] = h[r * n + c]!;
    m[r * (n + 1) + n] = b[r]!;
  }
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * (n + 1) + col]!) > Math.abs(m[pivot * (n + 1) + col]!)) pivot = r;
    if (Math.abs(m[pivot * (n + 1) + col]!) < 1e-12) return undefined;
    if (pivot !== col) {
      for (let c = 0; c <= n; c++) {
        const t = m[col * (n + 1) + c]!;
        m[col * (n + 1) + c] = m[pivot * (n + 1) + c]!;
        m[pivot * (n + 1) + c] = t;
      }
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r * (n + 1) + col]! / m[col * (n + 1) + col]!;
      if (f === 0) continue;
      for (let c = col; c <= n; c++) m[r * (n + 1) + c]! -= f * m[col * (n + 1) + c]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = 0; r < n; r++) x[r] = m[r * (n + 1) + n]! / m[r * (n + 1) + r]!;
  return x;
}

/** Bilinear sample; NaN outside the patch. */
function sample(img: Float32Array, side: number, x: number, y: number): number {
  if (x < 0 || y < 0 || x > side - 1 || y > side - 1) return Number.NaN;
  const x0 = Math.min(side - 2, Math.floor(x)), y0 = Math.min(side - 2, Math.floor(y));
  const fx = x - x0, fy = y - y0;
  const i = y0 * side + x0;
  return (img[i]! * (1 - fx) + img[i + 1]! * fx) * (1 - fy) + (img[i + side]! * (1 - fx) + img[i + side + 1]! * fx) * fy;
}

/**
 * Binomial blur (σ ≈ 1 px per pass), separable, edges clamped. The aligned faces of two frames are
 * resampled on different pixel grids; their finest detail aliases differently even when the
 * picture is the same, and the fit would read that as a change no homography explains.
 */
function blur(img: Float32Array, side: number, passes: number): Float32Array {
  const k = [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16];
  let src = img;
  for (let p = 0; p < passes; p++) {
    const tmp = new Float32Array(src.length);
    const out = new Float32Array(src.length);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        let v = 0;
        for (let d = -2; d <= 2; d++) v += k[d + 2]! * src[y * side + Math.min(side - 1, Math.max(0, x + d))]!;
        tmp[y * side + x] = v;
      }
    }
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        let v = 0;
        for (let d = -2; d <= 2; d++) v += k[d + 2]! * tmp[Math.min(side - 1, Math.max(0, y + d)) * side + x]!;
        out[y * side + x] = v;
      }
    }
    src = out;
  }
  return src;
}

/** Zero mean, unit deviation over the region: exposure and white balance drift between frames. */
function normalise(img: Float32Array, mask: Uint8Array): Float32Array {
  let sum = 0, sq = 0, n = 0;
  for (let i = 0; i < img.length; i++) if (mask[i]) { sum += img[i]!; sq += img[i]! * img[i]!; n++; }
  const mean = sum / n;
  const std = Math.sqrt(Math.max(1e-6, sq / n - mean * mean));
  const out = new Float32Array(img.length);
  for (let i = 0; i < img.length; i++) out[i] = (img[i]! - mean) / std;
  return out;
}

/**
 * The region registered: the inner face of the aligned crop (an ellipse that leaves out the
 * crop's corners, where background and hair show and move on their own).
 */
function faceMask(side: number): Uint8Array {
  const mask = new Uint8Array(side * side);
  const cx = (side - 1) / 2, cy = (side - 1) / 2, rx = side * 0.42, ry = side * 0.44;
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1) mask[y * side + x] = 1;
  return mask;
}

/** The mask of a patch size and the indices of its pixels, made once per size. */
const regions = new Map<number, { mask: Uint8Array; pixels: Int32Array }>();
function regionOf(side: number): { mask: Uint8Array; pixels: Int32Array } {
  let region = regions.get(side);
  if (!region) {
    const mask = faceMask(side);
    const pixels: number[] = [];
    for (let i = 0; i < mask.length; i++) if (mask[i]) pixels.push(i);
    region = { mask, pixels: Int32Array.from(pixels) };
    regions.set(side, region);
  }
  return region;
}

/**
 * Blurred and normalised patches, by the patch they came from: most frames take part in two
 * pairs (as the later and as the earlier frame), and preparing a patch costs as much as a few
 * iterations of the fit.
 */
const prepared = new WeakMap<Float32Array, { side: number; image: Float32Array }>();
function prepare(patch: Float32Array, side: number, mask: Uint8Array): Float32Array {
  const cached = prepared.get(patch);
  if (cached?.side === side) return cached.image;
  const image = normalise(blur(patch, side, BLUR_PASSES), mask);
  prepared.set(patch, { side, image });
  return image;
}

export interface PlanarFit {
  /** Mean absolute residual (in deviations of the face's grey levels) left by the best homography. */
  residual: number;
  /** The same before any warp: how much the face changed at all. */
  change: number;
}

/**
 * Registers `moving` onto `template` (both side², aligned faces of two frames) with a homography
 * and reports what is left. Coordinates are centred and scaled to ±1 so the eight parameters
 * are of one magnitude.
 */
export function planarFit(template: Float32Array, moving: Float32Array, side = PATCH_SIDE, iterations = 40): PlanarFit {
  const { mask, pixels } = regionOf(side);
  const T = prepare(template, side, mask);
  const I = prepare(moving, side, mask);
  const count = pixels.length;
  const half = (side - 1) / 2;
  // Normalised coordinates u = (x - half) / half; N maps pixels to them.
  const N: Mat3 = [1 / half, 0, -1, 0, 1 / half, -1, 0, 0, 1];
  const Ninv: Mat3 = [half, 0, half, 0, half, half, 0, 0, 1];
  // Steepest-descent images of the template at the identity warp.
  const sd = new Float64Array(count * 8);
  const hess = new Float64Array(64);
  const row = new Float64Array(8);
  for (let k = 0; k < count; k++) {
    const p = pixels[k]!;
    const x = p % side, y = Math.floor(p / side);
    const gx = (T[y * side + Math.min(side - 1, x + 1)]! - T[y * side + Math.max(0, x - 1)]!) / 2 * half;
    const gy = (T[Math.min(side - 1, y + 1) * side + x]! - T[Math.max(0, y - 1) * side + x]!) / 2 * half;
    const u = (x - half) / half, v = (y - half) / half;
    row[0] = gx * u; row[1] = gy * u; row[2] = gx * v; row[3] = gy * v;
    row[4] = gx; row[5] = gy; row[6] = -gx * u * u - gy * u * v; row[7] = -gx * u * v - gy * v * v;
    for (let a = 0; a < 8; a++) {
      sd[k * 8 + a] = row[a]!;
      for (let b = 0; b < 8; b++) hess[a * 8 + b]! += row[a]! * row[b]!;
    }
  }
  const warped = new Float64Array(count);
  const err = new Float64Array(count);
  /** Fills `err` with the residual of each pixel under W (NaN off the patch); the mean absolute residual. */
  const residualOf = (W: Mat3): number => {
    const P = mul(Ninv, mul(W, N));
    // Gain and bias of the warped face against the template, refitted each time: light and
    // exposure drift between frames, and the fit must not pay for them with geometry.
    let n = 0, sw = 0, st = 0, sww = 0, swt = 0;
    for (let k = 0; k < count; k++) {
      const p = pixels[k]!;
      const x = p % side, y = Math.floor(p / side);
      const w = P[6] * x + P[7] * y + P[8];
      const value = sample(I, side, (P[0] * x + P[1] * y + P[2]) / w, (P[3] * x + P[4] * y + P[5]) / w);
      warped[k] = value;
      if (Number.isNaN(value)) continue;
      const t = T[p]!;
      n++; sw += t; st += value; sww += t * t; swt += t * value;
    }
    const varT = n * sww - sw * sw;
    // Clamped: a face that changed beyond recognition must not be "explained" by flattening it.
    const gain = n > 8 && varT > 1e-9 ? Math.min(2, Math.max(0.5, (n * swt - sw * st) / varT)) : 1;
    const bias = n > 0 ? (st - gain * sw) / n : 0;
    let sum = 0;
    for (let k = 0; k < count; k++) {
      const value = warped[k]!;
      if (Number.isNaN(value)) { err[k] = Number.NaN; continue; }
      const e = (value - bias) / gain - T[pixels[k]!]!;
      err[k] = e;
      sum += Math.abs(e);
    }
    // A fit that pushes much of the face off the patch has explained nothing it can show.
    return n >= count * 0.8 ? sum / n : Number.POSITIVE_INFINITY;
  };
  const change = residualOf(IDENTITY);
  let W: Mat3 = IDENTITY;
  const b = new Float64Array(8);
  for (let it = 0; it < iterations; it++) {
    residualOf(W);
    b.fill(0);
    for (let k = 0; k < count; k++) {
      const e = err[k]!;
      if (Number.isNaN(e)) continue;
      for (let a = 0; a < 8; a++) b[a]! += sd[k * 8 + a]! * e;
    }
    const dp = solve8(hess, b);
    if (!dp) break;
    const dW: Mat3 = [1 + dp[0]!, dp[2]!, dp[4]!, dp[1]!, 1 + dp[3]!, dp[5]!, dp[6]!, dp[7]!, 1];
    const dWinv = invert(dW);
    if (!dWinv) break;
    W = mul(W, dWinv);
    let step = 0;
    for (const v of dp) step += v * v;
    if (step < 1e-10) break;
  }
  // A fit that diverged (a face that changed beyond any warp) keeps the unwarped figure.
  return { residual: Math.min(change, residualOf(W)), change };
}
