import { describe, expect, it } from 'vitest';
import { padImage } from '../../src/face/models/yunet-detector.js';
import { brightness, sharpness } from '../../src/face/quality/image-quality.js';
import { commonestFailure, firstFailure, type QualityGates } from '../../src/face/quality/gates.js';

const image = (w: number, h: number, f: (x: number, y: number) => number) => {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.fill(f(x, y), (y * w + x) * 3, (y * w + x) * 3 + 3);
  return { width: w, height: h, data };
};
const gates: QualityGates = { minFacePx: 64, minSharpness: 60, minBrightness: 40, maxBrightness: 230 };

describe('image measures', () => {
  it('brightness is the mean luma', () => {
    expect(brightness(image(4, 4, () => 100))).toBeCloseTo(100, 6);
    expect(brightness(image(2, 1, (x) => (x === 0 ? 0 : 200)))).toBeCloseTo(100, 6);
  });

  it('sharpness is 0 for a flat image and large for a checkerboard', () => {
    expect(sharpness(image(8, 8, () => 128))).toBe(0);
    expect(sharpness(image(8, 8, (x, y) => ((x + y) % 2 ? 255 : 0)))).toBeGreaterThan(10_000);
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
