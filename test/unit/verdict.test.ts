import { describe, expect, it } from 'vitest';
import type { FrameReport } from '../../src/contract/face-similarity.js';
import { checkDocumentFace, decideVideo } from '../../src/face/decision/verdict.js';
import type { DetectedFace } from '../../src/face/types.js';
import { MediaRejectedError } from '../../src/media/errors.js';

const frame = (quality: number | null, similarity: number | null, excludedBy: FrameReport['excludedBy'] = null): FrameReport => ({
  timestampMs: 0,
  faceFound: quality !== null,
  quality,
  similarity,
  excludedBy,
  used: false,
});
const face = (size: number): DetectedFace => ({ box: { x: 0, y: 0, width: size, height: size }, landmarks: [], score: 0.9 });
const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MediaRejectedError);
    return (err as MediaRejectedError).reason;
  }
  throw new Error('expected a rejection');
};

describe('decideVideo', () => {
  const settings = { bestFrames: 2, matchThreshold: 0.4 };

  it('averages the best frames by quality, marks them used and compares with the threshold', () => {
    const frames = [frame(0.9, 0.5), frame(0.2, 0.99), frame(0.8, 0.7), frame(null, null)];
    const verdict = decideVideo(frames, settings);
    expect(verdict).toEqual({ similarity: 0.6, match: true, framesWithFace: 3 });
    expect(frames.map((f) => f.used)).toEqual([true, false, true, false]);
  });

  it('is no match below the threshold, and a match exactly at it', () => {
    expect(decideVideo([frame(0.9, 0.39), frame(0.8, 0.39)], settings).match).toBe(false);
    expect(decideVideo([frame(0.9, 0.4)], settings).match).toBe(true);
  });

  it('rejects a video without a face', () => {
    expect(reasonOf(() => decideVideo([frame(null, null), frame(null, null)], settings))).toBe('NO_FACE_IN_VIDEO');
  });

  it('names the gate most frames failed when none passed', () => {
    const frames = [frame(0.5, null, 'TOO_DARK'), frame(0.5, null, 'TOO_BLURRY'), frame(0.5, null, 'TOO_DARK')];
    expect(reasonOf(() => decideVideo(frames, settings))).toBe('VIDEO_TOO_DARK');
  });
});

describe('checkDocumentFace', () => {
  it('accepts one dominant face that passed its gates', () => {
    const main = face(200);
    expect(() => checkDocumentFace([main, face(100)], main, undefined)).not.toThrow();
  });

  it('refuses no face, two faces of similar size, and a failed gate', () => {
    const main = face(200);
    expect(reasonOf(() => checkDocumentFace([], undefined, undefined))).toBe('NO_FACE_ON_DOCUMENT');
    expect(reasonOf(() => checkDocumentFace([main, face(150)], main, undefined))).toBe('MULTIPLE_FACES_ON_DOCUMENT');
    expect(reasonOf(() => checkDocumentFace([main], main, 'FACE_TOO_SMALL'))).toBe('FACE_TOO_SMALL_ON_DOCUMENT');
  });
});
