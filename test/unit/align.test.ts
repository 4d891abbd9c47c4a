import { describe, expect, it } from 'vitest';
import { ARCFACE_TEMPLATE_112, alignFace, applyAffine, estimateSimilarity, invertAffine, warpAffine, type Affine } from '../../src/face/geometry/align.js';
import type { Point } from '../../src/face/types.js';

const similarity = (angle: number, scale: number, tx: number, ty: number): Affine => {
  const a = scale * Math.cos(angle), b = scale * Math.sin(angle);
  return [a, -b, tx, b, a, ty];
};

describe('estimateSimilarity', () => {
  it('recovers an exact rotation + scale + translation from five points', () => {
    const truth = similarity(0.52, 1.7, -12.5, 40.25);
    const src: Point[] = [[100, 120], [160, 118], [131, 150], [108, 185], [155, 184]];
    const dst = src.map((p) => applyAffine(truth, p));
    const estimated = estimateSimilarity(src, dst);
    estimated.forEach((v, i) => expect(v).toBeCloseTo(truth[i]!, 9));
  });

  it('maps the template onto itself with the identity', () => {
    const m = estimateSimilarity(ARCFACE_TEMPLATE_112, ARCFACE_TEMPLATE_112);
    [1, 0, 0, 0, 1, 0].forEach((v, i) => expect(m[i]).toBeCloseTo(v, 12));
  });

  it('never reflects: mirrored landmarks give a rotation, not a flip', () => {
    const mirrored = ARCFACE_TEMPLATE_112.map(([x, y]) => [112 - x, y] as const);
    const [a, b, , d, e] = estimateSimilarity(mirrored, ARCFACE_TEMPLATE_112);
    expect(a * e - b * d).toBeGreaterThan(0);
  });

  it('matches the least-squares optimum for noisy points (residual below any perturbed transform)', () => {
    const src: Point[] = [[10, 10], [50, 12], [30, 30], [15, 52], [48, 50]];
    const dst: Point[] = [[40, 52], [74, 51], [56, 72], [41, 93], [71, 92]];
    const residual = (m: Affine) => src.reduce((sum, p, i) => {
      const [x, y] = applyAffine(m, p);
      return sum + (x - dst[i]![0]) ** 2 + (y - dst[i]![1]) ** 2;
    }, 0);
    const best = estimateSimilarity(src, dst);
    const [a, b, c, , , f] = best;
    for (const delta of [1e-3, -1e-3]) {
      expect(residual([a + delta, b, c, -b, a + delta, f])).toBeGreaterThan(residual(best));
      expect(residual([a, b + delta, c, -(b + delta), a, f])).toBeGreaterThan(residual(best));
    }
  });

  it('rejects degenerate input', () => {
    expect(() => estimateSimilarity([[1, 1], [1, 1]], [[0, 0], [1, 1]])).toThrow(/degenerate/);
  });
});

describe('warpAffine', () => {
  const image = { width: 4, height: 3, data: Uint8Array.from({ length: 36 }, (_, i) => i * 7) };

  it('is the identity for the identity transform', () => {
    expect(warpAffine(image, [1, 0, 0, 0, 1, 0], 4, 3).data).toEqual(image.data);
  });

  it('shifts by whole pixels and fills outside with black, as cv2.warpAffine does', () => {
    const out = warpAffine(image, [1, 0, 1, 0, 1, 0], 4, 3);
    expect(Array.from(out.data.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(out.data.subarray(3, 6))).toEqual(Array.from(image.data.subarray(0, 3)));
  });

  it('interpolates bilinearly at half pixels', () => {
    const out = warpAffine(image, [1, 0, -0.5, 0, 1, 0], 1, 1);
    expect(out.data[0]).toBe(Math.round((image.data[0]! + image.data[3]!) / 2));
  });

  it('inverts transforms exactly', () => {
    const m = similarity(0.3, 2, 5, -7);
    const p = applyAffine(invertAffine(m), applyAffine(m, [3, 4]));
    expect(p[0]).toBeCloseTo(3, 12);
    expect(p[1]).toBeCloseTo(4, 12);
  });
});

describe('alignFace', () => {
  it('produces a 112x112 RGB face', () => {
    const image = { width: 200, height: 200, data: new Uint8Array(200 * 200 * 3).fill(90) };
    const face = alignFace(image, [[70, 80], [130, 80], [100, 110], [75, 140], [125, 140]]);
    expect(face.width).toBe(112);
    expect(face.height).toBe(112);
    expect(face.data.length).toBe(112 * 112 * 3);
    expect(face.data[56 * 112 * 3 + 56 * 3]).toBe(90);
  });
});
