import { describe, expect, it } from 'vitest';
import { faceQuality, frontalness } from '../../src/face/quality/face-quality.js';
import type { DetectedFace, Point } from '../../src/face/types.js';

const face = (landmarks: Point[], size = 200, score = 0.9): DetectedFace => ({
  score,
  box: { x: 0, y: 0, width: size, height: size },
  landmarks,
});
const frontal: Point[] = [[70, 80], [130, 80], [100, 110], [75, 140], [125, 140]];
const profile: Point[] = [[70, 80], [90, 80], [120, 110], [75, 140], [95, 140]];

describe('frontalness', () => {
  it('is 1 for a nose midway between the eyes and 0 for a nose past an eye', () => {
    expect(frontalness(face(frontal))).toBeCloseTo(1, 9);
    expect(frontalness(face(profile))).toBe(0);
  });

  it('does not depend on head roll', () => {
    const angle = 0.4;
    const rolled = frontal.map(([x, y]) => [x * Math.cos(angle) - y * Math.sin(angle), x * Math.sin(angle) + y * Math.cos(angle)] as const);
    expect(frontalness(face(rolled))).toBeCloseTo(1, 9);
  });
});

describe('faceQuality', () => {
  it('scales with detection score and size, saturating at 112 px', () => {
    expect(faceQuality(face(frontal, 224, 0.9))).toBeCloseTo(0.9, 9);
    expect(faceQuality(face(frontal, 56, 0.9))).toBeCloseTo(0.45, 9);
    expect(faceQuality(face(profile))).toBe(0);
  });
});
