import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/face/decision/verdict.js';
import { cosineSimilarity, l2Normalize } from '../../src/face/decision/similarity.js';

const v = (...xs: number[]) => Float32Array.from(xs);

describe('cosineSimilarity', () => {
  it('is 1 for the same direction, -1 for opposite, 0 for orthogonal', () => {
    expect(cosineSimilarity(v(1, 2, 3), v(2, 4, 6))).toBeCloseTo(1, 6);
    expect(cosineSimilarity(v(1, 2, 3), v(-1, -2, -3))).toBeCloseTo(-1, 6);
    expect(cosineSimilarity(v(1, 0), v(0, 5))).toBeCloseTo(0, 6);
  });

  it('refuses mismatched dimensions and zero vectors', () => {
    expect(() => cosineSimilarity(v(1, 2), v(1, 2, 3))).toThrow(/dimension/);
    expect(() => cosineSimilarity(v(0, 0), v(1, 2))).toThrow(/zero/);
  });
});

describe('l2Normalize', () => {
  it('gives unit length', () => {
    const n = l2Normalize(v(3, 4));
    expect(Array.from(n)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
  });
});

describe('aggregate', () => {
  it('averages the similarity of the K highest-quality frames, not the K most similar', () => {
    const frames = [
      { timestampMs: 0, quality: 0.9, similarity: 0.5 },
      { timestampMs: 500, quality: 0.8, similarity: 0.7 },
      { timestampMs: 1000, quality: 0.1, similarity: 0.99 },
      { timestampMs: 1500, quality: 0.7, similarity: 0.6 },
    ];
    expect(aggregate(frames, 3)).toBeCloseTo(0.6, 9);
    expect(aggregate(frames, 10)).toBeCloseTo((0.5 + 0.7 + 0.99 + 0.6) / 4, 9);
  });
});
