import { describe, expect, it } from 'vitest';
import { resizeRgb, resizeToBgrPlanes, shrinkToFit } from '../../src/face/geometry/resize.js';

const gray = (w: number, h: number, f: (x: number, y: number) => number) => {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.fill(f(x, y), (y * w + x) * 3, (y * w + x) * 3 + 3);
  return out;
};
const channel0 = (rgb: Uint8Array) => Array.from(rgb.filter((_, i) => i % 3 === 0));

describe('resizeRgb', () => {
  it('returns the input untouched at the same size', () => {
    const src = gray(3, 2, (x, y) => x + y);
    expect(resizeRgb(src, 3, 2, 3, 2)).toBe(src);
  });

  it('averages whole blocks when shrinking by an integer factor (INTER_AREA)', () => {
    const src = gray(4, 2, (x, y) => [10, 20, 30, 50][x]! + 100 * y);
    expect(channel0(resizeRgb(src, 4, 2, 2, 1))).toEqual([Math.round((10 + 20 + 110 + 120) / 4), Math.round((30 + 50 + 130 + 150) / 4)]);
  });

  it('weights partially covered pixels by their coverage when shrinking by a fraction', () => {
    // 3 -> 2: output 0 covers input 0 fully and half of input 1.
    const src = gray(3, 1, (x) => [0, 90, 180][x]!);
    expect(channel0(resizeRgb(src, 3, 1, 2, 1))).toEqual([30, 150]);
  });

  it('interpolates linearly with half-pixel centres when enlarging (INTER_LINEAR)', () => {
    const src = gray(2, 1, (x) => [0, 100][x]!);
    expect(channel0(resizeRgb(src, 2, 1, 4, 1))).toEqual([0, 25, 75, 100]);
  });

  it('enlarges a one-pixel row or column into copies of it, reading nothing past it', () => {
    expect(channel0(resizeRgb(gray(1, 1, () => 77), 1, 1, 3, 2))).toEqual([77, 77, 77, 77, 77, 77]);
    expect(channel0(resizeRgb(gray(1, 2, (_, y) => [10, 30][y]!), 1, 2, 2, 4))).toEqual([10, 10, 15, 15, 25, 25, 30, 30]);
  });

  it('gives the same pixels row by row as a tall image shrinks through its ring of rows', () => {
    // 7 -> 3 rows: each output row reads 4 source rows, and consecutive windows overlap.
    const src = gray(2, 7, (x, y) => 10 * y + x);
    const rows = channel0(resizeRgb(src, 2, 7, 1, 3));
    const expected = [0, 1, 2].map((d) => {
      const [f0, f1] = [(d * 7) / 3, ((d + 1) * 7) / 3];
      let sum = 0;
      for (let y = 0; y < 7; y++) sum += Math.max(0, Math.min(f1, y + 1) - Math.max(f0, y)) * (10 * y + 0.5);
      return Math.round(sum / (7 / 3));
    });
    expect(rows).toEqual(expected);
  });

  it('keeps a flat image flat in both directions', () => {
    const src = gray(7, 5, () => 77);
    expect(new Set(resizeRgb(src, 7, 5, 3, 2))).toEqual(new Set([77]));
    expect(new Set(resizeRgb(src, 7, 5, 11, 9))).toEqual(new Set([77]));
  });
});

describe('resizeToBgrPlanes', () => {
  it('lays RGB pixels out as zero-padded BGR planes of the square input', () => {
    const tensor = resizeToBgrPlanes(Uint8Array.from([10, 20, 30, 40, 50, 60]), 2, 1, 2, 1, 4);
    const plane = 16;
    expect([tensor[0], tensor[plane], tensor[2 * plane]]).toEqual([30, 20, 10]);
    expect([tensor[1], tensor[plane + 1], tensor[2 * plane + 1]]).toEqual([60, 50, 40]);
    expect(tensor[4]).toBe(0);
  });

  it('holds the same values as resizeRgb, rounded to 8 bits', () => {
    const src = Uint8Array.from({ length: 7 * 5 * 3 }, (_, i) => (i * 37) % 256);
    const rgb = resizeRgb(src, 7, 5, 3, 2);
    const tensor = resizeToBgrPlanes(src, 7, 5, 3, 2, 4);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) {
      expect(tensor[y * 4 + x]).toBe(rgb[(y * 3 + x) * 3 + 2]);
      expect(tensor[32 + y * 4 + x]).toBe(rgb[(y * 3 + x) * 3]);
    }
  });

  it('reads nothing outside a tiny image', () => {
    const tensor = resizeToBgrPlanes(Uint8Array.from([200, 100, 50, 200, 100, 50]), 2, 1, 1, 1, 2);
    expect(Array.from(tensor).every(Number.isFinite)).toBe(true);
    expect(tensor[0]).toBe(50);
  });
});

describe('resizeToBgrPlanes without resizing', () => {
  it('copies the pixels straight into the planes', () => {
    const src = Uint8Array.from({ length: 3 * 2 * 3 }, (_, i) => i * 10);
    const tensor = resizeToBgrPlanes(src, 3, 2, 3, 2, 4);
    expect(tensor[1 * 4 + 2]).toBe(src[(1 * 3 + 2) * 3 + 2]);
    expect(tensor[32 + 1 * 4 + 2]).toBe(src[(1 * 3 + 2) * 3]);
    expect(tensor[3]).toBe(0);
  });
});

describe('resizeToBgrPlanes into a reused tensor', () => {
  it('gives what a fresh tensor gives, whatever the last image left in it', () => {
    const big = Uint8Array.from({ length: 4 * 3 * 3 }, () => 255);
    const small = Uint8Array.from({ length: 3 * 2 * 3 }, (_, i) => i * 10);
    const reused = resizeToBgrPlanes(big, 4, 3, 4, 3, 4);
    // Copy path and resampling path, each into the tensor a larger, brighter image filled.
    expect(resizeToBgrPlanes(small, 3, 2, 3, 2, 4, reused)).toEqual(resizeToBgrPlanes(small, 3, 2, 3, 2, 4));
    resizeToBgrPlanes(big, 4, 3, 4, 3, 4, reused);
    expect(resizeToBgrPlanes(big, 4, 3, 2, 1, 4, reused)).toEqual(resizeToBgrPlanes(big, 4, 3, 2, 1, 4));
  });

  it('refuses a tensor of another size', () => {
    expect(() => resizeToBgrPlanes(new Uint8Array(3), 1, 1, 1, 1, 4, new Float32Array(3 * 9))).toThrow(/tensor of 27 values/);
  });
});

describe('shrinkToFit', () => {
  it('shrinks to the size the detector letterboxes to, and leaves a fitting image alone', () => {
    const src = Uint8Array.from({ length: 640 * 360 * 3 }, (_, i) => i % 251);
    const small = shrinkToFit({ width: 640, height: 360, data: src }, 320);
    expect([small.width, small.height]).toEqual([320, 180]);
    expect(small.data).toEqual(resizeRgb(src, 640, 360, 320, 180));
    const fits = { width: 300, height: 200, data: new Uint8Array(300 * 200 * 3) };
    expect(shrinkToFit(fits, 320)).toBe(fits);
  });
});
