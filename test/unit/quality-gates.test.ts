import { describe, expect, it } from 'vitest';
import { padImage } from '../../src/face/models/yunet-detector.js';
import { boxThumb, brightness as brightnessOf, lumaPlane, sharpness as sharpnessOf } from '../../src/face/image/luma.js';
import { MIN_NATIVE_FACE_SIDE, commonestFailure, firstFailure, nativeSide, type QualityGates } from '../../src/face/quality/gates.js';

const image = (w: number, h: number, f: (x: number, y: number) => number) => {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.fill(f(x, y), (y * w + x) * 3, (y * w + x) * 3 + 3);
  return { width: w, height: h, data };
};
const brightness = (img: ReturnType<typeof image>) => brightnessOf(lumaPlane(img));
const sharpness = (img: ReturnType<typeof image>) => sharpnessOf(lumaPlane(img));
const gates: QualityGates = { minFacePx: 64, minSharpness: 60, minBrightness: 40, maxBrightness: 230 };

/**
 * The measures as they were computed before luma was shared (one pass over the RGB pixels per
 * measure, single-precision luma for the gates, double for the thumbnails): the oracle the shared
 * plane must match bit for bit, so no gate decision or liveness score moved.
 */
const reference = {
  luma32: (img: { width: number; height: number; data: Uint8Array }) => Float32Array.from({ length: img.width * img.height }, (_, i) => 0.299 * img.data[3 * i]! + 0.587 * img.data[3 * i + 1]! + 0.114 * img.data[3 * i + 2]!),
  brightness(img: { width: number; height: number; data: Uint8Array }) {
    let sum = 0;
    for (const v of this.luma32(img)) sum += v;
    return sum / (img.width * img.height);
  },
  sharpness(img: { width: number; height: number; data: Uint8Array }) {
    const y = this.luma32(img), w = img.width, h = img.height;
    // The weaker direction's second-derivative variance (a shake blurs one direction only).
    const variance = (d: (i: number) => number) => {
      let sum = 0, sumSq = 0, n = 0;
      for (let r = 1; r < h - 1; r++) for (let c = 1; c < w - 1; c++) {
        const v = d(r * w + c);
        sum += v; sumSq += v * v; n++;
      }
      return sumSq / n - (sum / n) ** 2;
    };
    return Math.min(variance((i) => y[i - 1]! + y[i + 1]! - 2 * y[i]!), variance((i) => y[i - w]! + y[i + w]! - 2 * y[i]!));
  },
  thumb(img: { width: number; height: number; data: Uint8Array }, side: number) {
    const out = new Float32Array(side * side), counts = new Float32Array(side * side);
    for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
      const t = Math.min(side - 1, Math.floor((y * side) / img.height)) * side + Math.min(side - 1, Math.floor((x * side) / img.width));
      const p = (y * img.width + x) * 3;
      out[t]! += 0.299 * img.data[p]! + 0.587 * img.data[p + 1]! + 0.114 * img.data[p + 2]!;
      counts[t]! += 1;
    }
    return out.map((v, i) => (counts[i]! > 0 ? v / counts[i]! : 0));
  },
};

describe('one luma plane per face', () => {
  it('gives every measure bit for bit what it computed from the pixels on its own', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % 256);
    for (const [w, h] of [[112, 112], [113, 97], [5, 3]] as const) {
      const img = { width: w, height: h, data: Uint8Array.from({ length: w * h * 3 }, random) };
      const plane = lumaPlane(img);
      expect(brightnessOf(plane)).toBe(reference.brightness(img));
      expect(sharpnessOf(plane)).toBe(reference.sharpness(img));
      for (const side of [32, 56]) expect(Array.from(boxThumb(plane, side))).toEqual(Array.from(reference.thumb(img, side)));
    }
  });
});

describe('image measures', () => {
  it('brightness is the mean luma', () => {
    expect(brightness(image(4, 4, () => 100))).toBeCloseTo(100, 6);
    expect(brightness(image(2, 1, (x) => (x === 0 ? 0 : 200)))).toBeCloseTo(100, 6);
  });

  it('sharpness is 0 for a flat image and large for a checkerboard', () => {
    expect(sharpness(image(8, 8, () => 128))).toBe(0);
    expect(sharpness(image(8, 8, (x, y) => ((x + y) % 2 ? 255 : 0)))).toBeGreaterThan(10_000);
  });

  it('sharpness sees a shake along one direction, which the Laplacian averages away', () => {
    let seed = 3;
    const noise = Array.from({ length: 64 * 64 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % 256));
    const sharp = image(64, 64, (x, y) => noise[y * 64 + x]!);
    // A horizontal streak of 9 pixels: every row averaged along x, the columns untouched.
    const shaken = image(64, 64, (x, y) => {
      let sum = 0;
      for (let d = -4; d <= 4; d++) sum += noise[y * 64 + Math.min(63, Math.max(0, x + d))]!;
      return Math.round(sum / 9);
    });
    expect(sharpness(shaken)).toBeLessThan(sharpness(sharp) / 20);
  });
});

describe('sharpness at the face\'s own resolution', () => {
  it('measures a face the alignment would enlarge at its own size, and a large one at the embedder\'s', () => {
    expect(nativeSide(2, 112)).toBe(56);
    expect(nativeSide(1.4, 112)).toBe(80);
    expect(nativeSide(0.5, 112)).toBe(112);
    expect(nativeSide(1, 112)).toBe(112);
    expect(nativeSide(20, 112)).toBe(MIN_NATIVE_FACE_SIDE);
  });
});

describe('quality gates', () => {
  const good = { facePx: 200, sharpness: 500, brightness: 120 };
  it('passes a good face and names the first failing gate otherwise', () => {
    expect(firstFailure(good, gates)).toBeUndefined();
    expect(firstFailure({ ...good, facePx: 40 }, gates)).toBe('FACE_TOO_SMALL');
    expect(firstFailure({ ...good, brightness: 20 }, gates)).toBe('TOO_DARK');
    expect(firstFailure({ ...good, brightness: 250 }, gates)).toBe('TOO_BRIGHT');
    expect(firstFailure({ ...good, sharpness: 10 }, gates)).toBe('TOO_BLURRY');
    // A dark face is also low-contrast: report the darkness, which is what the user can fix.
    expect(firstFailure({ ...good, brightness: 20, sharpness: 10 }, gates)).toBe('TOO_DARK');
  });

  it('summarises a video by the failure most frames share', () => {
    expect(commonestFailure(['TOO_BLURRY', 'TOO_DARK', 'TOO_BLURRY'])).toBe('TOO_BLURRY');
    expect(commonestFailure(['TOO_DARK', 'FACE_TOO_SMALL'])).toBe('FACE_TOO_SMALL');
    expect(commonestFailure([])).toBeUndefined();
  });
});

describe('padImage', () => {
  it('centres the image in a black border and reports the offset', () => {
    const { image: padded, offset } = padImage(image(2, 2, () => 9), 0.5);
    expect(offset).toEqual({ x: 1, y: 1 });
    expect([padded.width, padded.height]).toEqual([4, 4]);
    expect(padded.data[(1 * 4 + 1) * 3]).toBe(9);
    expect(padded.data[0]).toBe(0);
  });
});
