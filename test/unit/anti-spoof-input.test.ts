import { describe, expect, it } from 'vitest';
import { antiSpoofCrop, antiSpoofTensor, fuseRealProbability, softmax } from '../../src/face/liveness/anti-spoof-input.js';
import { rotateImage } from '../../src/face/geometry/rotate.js';

describe('MiniFASNet input', () => {
  it('scales the crop around the box centre and shifts it back inside the frame instead of clipping', () => {
    expect(antiSpoofCrop(640, 480, { x: 300, y: 200, width: 40, height: 50 }, 2.7)).toEqual({ x0: 266, y0: 157, x1: 374, y1: 292 });
    // Near the left edge: the window keeps its size and moves right.
    const edge = antiSpoofCrop(640, 480, { x: 0, y: 200, width: 40, height: 50 }, 2.7);
    expect(edge.x0).toBe(0);
    expect(edge.x1).toBe(108);
    // A box larger than the frame allows at this scale: the scale shrinks to fit.
    const big = antiSpoofCrop(200, 200, { x: 50, y: 50, width: 100, height: 100 }, 4);
    expect(big).toEqual({ x0: 0, y0: 0, x1: 199, y1: 199 });
  });

  it('lays pixels out as BGR planes in 0..255 (RGB input silently flips attacks to "real")', () => {
    const image = { width: 2, height: 2, data: Uint8Array.from([10, 20, 30, 10, 20, 30, 10, 20, 30, 10, 20, 30]) };
    const t = antiSpoofTensor(image, { x0: 0, y0: 0, x1: 1, y1: 1 }, 4);
    expect(t.length).toBe(3 * 16);
    expect(t[0]).toBe(30); // blue plane first
    expect(t[16]).toBe(20);
    expect(t[32]).toBe(10);
  });

  it('writes a face into its place in a batch input exactly as on its own', () => {
    const image = { width: 3, height: 2, data: Uint8Array.from({ length: 18 }, (_, i) => i * 13) };
    const crop = { x0: 0, y0: 0, x1: 2, y1: 1 };
    const alone = antiSpoofTensor(image, crop, 4);
    const batch = new Float32Array(2 * alone.length).fill(-1);
    expect(antiSpoofTensor(image, crop, 4, batch, alone.length)).toBe(batch);
    expect(Array.from(batch.subarray(alone.length))).toEqual(Array.from(alone));
    expect(batch.subarray(0, alone.length).every((v) => v === -1)).toBe(true);
  });

  it('fuses softmax vectors by their real-class mean', () => {
    const p = softmax([0, 2, 0]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(fuseRealProbability([[0.1, 0.8, 0.1], [0.3, 0.4, 0.3]])).toBeCloseTo(0.6, 9);
  });
});

describe('rotateImage', () => {
  const image = { width: 3, height: 2, data: Uint8Array.from({ length: 18 }, (_, i) => i) };
  const px = (img: { width: number; data: Uint8Array }, x: number, y: number) => img.data[(y * img.width + x) * 3];
  it('turns clockwise by quarter turns and back', () => {
    const r1 = rotateImage(image, 1);
    expect([r1.width, r1.height]).toEqual([2, 3]);
    expect(px(r1, 1, 0)).toBe(px(image, 0, 0)); // the top-left corner goes to the top-right
    const r2 = rotateImage(image, 2);
    expect(px(r2, 2, 1)).toBe(px(image, 0, 0));
    expect(rotateImage(rotateImage(r1, 2), 1).data).toEqual(image.data);
  });

  it('moves every pixel where a turn of its coordinates puts it', () => {
    const w = 5, h = 3;
    const img = { width: w, height: h, data: Uint8Array.from({ length: w * h * 3 }, (_, i) => i % 256) };
    const to = { 1: (x: number, y: number) => [h - 1 - y, x], 2: (x: number, y: number) => [w - 1 - x, h - 1 - y], 3: (x: number, y: number) => [y, w - 1 - x] } as const;
    for (const turns of [1, 2, 3] as const) {
      const r = rotateImage(img, turns);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const [ox, oy] = to[turns](x, y);
        for (let c = 0; c < 3; c++) expect(r.data[(oy! * r.width + ox!) * 3 + c]).toBe(img.data[(y * w + x) * 3 + c]);
      }
    }
  });
});
