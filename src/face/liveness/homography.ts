/**
 * Plane-to-plane projective transforms from point correspondences. Four points fix a
 * homography exactly; the face's planarity check uses the four outer landmarks (eyes, mouth
 * corners) and asks where the fifth, the nose tip, should have gone if the face were flat.
 */
import type { Point } from '../types.js';

/** Row-major 3x3 matrix with h[8] = 1. */
export type Homography = readonly number[];

/** The homography taking each of four `src` points onto its `dst` point; undefined when degenerate. */
export function homographyFrom4(src: readonly Point[], dst: readonly Point[]): Homography | undefined {
  if (src.length !== 4 || dst.length !== 4) throw new Error('a homography needs exactly four point pairs');
  // Unknowns h0..h7: x' (h6 x + h7 y + 1) = h0 x + h1 y + h2, and likewise for y'.
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = src[i]!;
    const [u, v] = dst[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  const h = solve(a);
  return h ? [...h, 1] : undefined;
}

export function applyHomography(h: Homography, [x, y]: Point): Point {
  const w = h[6]! * x + h[7]! * y + h[8]!;
  return [(h[0]! * x + h[1]! * y + h[2]!) / w, (h[3]! * x + h[4]! * y + h[5]!) / w];
}

/** Gaussian elimination with partial pivoting on an augmented n x (n+1) system. */
function solve(m: number[][]): number[] | undefined {
  const n = m.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) < 1e-12) return undefined;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const row = m[col]!;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const other = m[r]!;
      const f = other[col]! / row[col]!;
      if (f === 0) continue;
      for (let c = col; c <= n; c++) other[c]! -= f * row[c]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}
