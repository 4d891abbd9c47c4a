import { describe, expect, it } from 'vitest';
import { LIVENESS_REPORT_ONLY, type LivenessPolicy } from '../../src/contract/face-similarity.js';
import { antiSpoofCheck, challengeCheck, documentReplayCheck, motionCheck, parallaxCheck } from '../../src/face/liveness/checks.js';
import { decideLiveness } from '../../src/face/liveness/decision.js';
import { isColourless } from '../../src/face/image/colour.js';
import { THUMB_SIDE, type FrameEvidence } from '../../src/face/liveness/evidence.js';
import { PATCH_SIDE, planarFit } from '../../src/face/liveness/dense-planarity.js';
import { PlanarityPairs } from '../../src/face/liveness/recorder.js';
import { yawProxy } from '../../src/face/liveness/pose.js';
import { LIVENESS_THRESHOLDS as T } from '../../src/face/liveness/thresholds.js';
import type { Point } from '../../src/face/types.js';

/** A face model in 3-D (eye distance 1): eyes and mouth corners in one plane, the nose tip 0.6 in front. */
const HEAD: [number, number, number][] = [[-0.5, -0.4, 0], [0.5, -0.4, 0], [0, 0, -0.6], [-0.4, 0.5, 0], [0.4, 0.5, 0]];

/** Perspective view of `points` turned by `yawDeg` about the vertical axis, 80 px per unit, camera 6 units away. */
function view(points: [number, number, number][], yawDeg: number): Point[] {
  const a = (yawDeg * Math.PI) / 180;
  return points.map(([x, y, z]) => {
    const xr = x * Math.cos(a) + z * Math.sin(a);
    const zr = -x * Math.sin(a) + z * Math.cos(a) + 6;
    return [320 + (80 * 6 * xr) / zr, 240 + (80 * 6 * y) / zr] as const;
  });
}

const thumb = (value: (i: number) => number) => Float32Array.from({ length: THUMB_SIDE * THUMB_SIDE }, (_, i) => value(i));
/** A face-sized texture with detail at several scales, continuous so it can be sampled anywhere. */
const texture = (u: number, v: number) =>
  128 + 40 * Math.sin(u * 0.35 + 1) * Math.cos(v * 0.27) + 30 * Math.sin((u + v) * 0.18) + 50 * Math.exp(-((u - 28) ** 2 + (v - 30) ** 2) / 40);
/** The aligned-face patch of a frame whose pixel (x, y) shows the texture at `map(x, y)`. */
const patch = (map: (x: number, y: number) => Point) =>
  Float32Array.from({ length: PATCH_SIDE * PATCH_SIDE }, (_, i) => texture(...map(i % PATCH_SIDE, Math.floor(i / PATCH_SIDE))));
function frames(landmarks: Point[][], faceChange: (t: number, i: number) => number, similarity = 0.7, patches?: (t: number) => Float32Array): FrameEvidence[] {
  return landmarks.map((lm, t) => ({
    timestampMs: t * 500,
    face: { landmarks: lm, alignedThumb: thumb((i) => faceChange(t, i)), alignedPatch: patches?.(t) ?? patch((x, y) => [x, y]), similarity },
  }));
}

/** The pairs planarity compares, each with its fitted residual, as the recorder hands them to the check. */
function fitted(evidence: FrameEvidence[]) {
  const pairs = new PlanarityPairs(T.parallaxPairGapMs);
  for (const f of evidence) if (f.face) pairs.add(f);
  return pairs.final().map((pair) => ({ pair, residual: planarFit(pair[0].face!.alignedPatch, pair[1].face!.alignedPatch).residual }));
}

describe('planarity', () => {
  const still = Array.from({ length: 8 }, () => view(HEAD, 0));
  /** A flat picture turned and shifted: the same homography for every pixel of a frame. */
  const flat = (t: number) => {
    const k = Math.sin(t) * 0.004;
    return patch((x, y) => {
      const w = 1 + k * (x - 28);
      return [(x + 0.8 * t - 2) / w, (y + 0.03 * t * (x - 28) + Math.cos(t)) / w];
    });
  };
  /** A head: the middle of the face (the nose) moves against its edges, and the lower part (the mouth) changes. */
  const live = (t: number) =>
    patch((x, y) => {
      const bump = Math.exp(-((x - 28) ** 2 + (y - 28) ** 2) / 60);
      const mouth = y > 38 ? Math.sin(t * 1.7) * 2 * Math.exp(-((x - 28) ** 2) / 40) : 0;
      return [x + 3 * Math.sin(t * 1.3) * bump, y + mouth];
    });

  it('fails a flat picture moved in perspective: one homography explains every pixel', () => {
    const outcome = parallaxCheck(fitted(frames(still, () => 0, 0.7, flat)), T);
    expect(outcome.verdict).toBe('FAIL');
    expect(outcome.score!).toBeLessThan(T.parallaxMinResidual / 2);
  });
  it('passes a face whose middle moves against its edges', () => {
    const outcome = parallaxCheck(fitted(frames(still, () => 0, 0.7, live)), T);
    expect(outcome.verdict).toBe('PASS');
    expect(outcome.framesUsed.length).toBe(8);
  });
  it('a picture getting lighter between frames is still flat: gain and bias are not geometry', () => {
    const brighter = (t: number) => flat(t).map((v) => v * (1 + 0.05 * t) + 3 * t);
    expect(parallaxCheck(fitted(frames(still, () => 0, 0.7, brighter)), T).verdict).toBe('FAIL');
  });
  it('pairs each frame with the first one about a second later, whatever the sampling rate', () => {
    expect(parallaxCheck(fitted(frames(still, () => 0, 0.7, live)), T).detail).toMatch(/over 6 frame pairs/);
  });
  it('is inconclusive, not failing, with fewer than two faces', () => {
    expect(parallaxCheck(fitted(frames([view(HEAD, 0)], () => 0)), T).verdict).toBe('INCONCLUSIVE');
  });
});

describe('motion', () => {
  const still = Array.from({ length: 6 }, () => view(HEAD, 0));
  it('fails a frozen face (a looped still) and passes a changing one', () => {
    expect(motionCheck(frames(still, () => 128), T)).toMatchObject({ verdict: 'FAIL', score: 0 });
    expect(motionCheck(frames(still, (t, i) => 100 + ((t * 31 + i) % 40)), T).verdict).toBe('PASS');
  });
  it('fails when almost no frame shows a face', () => {
    expect(motionCheck(frames(still.slice(0, 1), () => 0), T).verdict).toBe('FAIL');
  });
});

describe('document replay', () => {
  const lm = Array.from({ length: 10 }, () => view(HEAD, 0));
  it('fails when (nearly) every frame is the ID portrait itself', () => {
    expect(documentReplayCheck(frames(lm, () => 0, 0.99), T).verdict).toBe('FAIL');
  });
  it('passes a genuine same-person selfie, even with a lucky frame or two near the ID', () => {
    const evidence = frames(lm, () => 0, 0.7);
    evidence[3]!.face!.similarity = 0.97;
    evidence[7]!.face!.similarity = 0.96;
    expect(documentReplayCheck(evidence, T).verdict).toBe('PASS');
  });
});

describe('active challenge', () => {
  const left = view(HEAD, -30); // subject's left: the nose points to the image's right
  const right = view(HEAD, 30);
  const front = view(HEAD, 0);
  it('reads the turn direction from the landmarks', () => {
    expect(yawProxy(left)).toBeGreaterThan(T.challengeMinYaw);
    expect(yawProxy(right)).toBeLessThan(-T.challengeMinYaw);
    expect(Math.abs(yawProxy(front))).toBeLessThan(0.01);
  });
  it('passes the requested turns in order and fails them out of order or missing', () => {
    const seq = frames([front, left, front, right, front], () => 0);
    expect(challengeCheck(seq, ['TURN_LEFT', 'TURN_RIGHT'], T)).toMatchObject({ verdict: 'PASS', score: 1, framesUsed: [500, 1500] });
    expect(challengeCheck(seq, ['TURN_RIGHT', 'TURN_LEFT'], T)).toMatchObject({ verdict: 'FAIL', score: 0.5 });
    expect(challengeCheck(frames([front, front, left], () => 0), ['TURN_LEFT', 'TURN_RIGHT'], T).verdict).toBe('FAIL');
  });
});

describe('anti-spoofing vote', () => {
  it('takes the median over frames, so one odd frame decides nothing', () => {
    const scores = [0.99, 0.98, 0.1, 0.97, 0.99].map((real, i) => ({ timestampMs: i * 500, real }));
    expect(antiSpoofCheck(scores, T)).toMatchObject({ verdict: 'PASS', score: 0.98 });
    expect(antiSpoofCheck(scores.map((s) => ({ ...s, real: 1 - s.real })), T).verdict).toBe('FAIL');
  });

  it('leaves colourless frames undecided (never a rejection), and decides when any frame has colour', () => {
    const low = [0.1, 0.05, 0.2].map((real, i) => ({ timestampMs: i * 500, real, colourless: true }));
    expect(antiSpoofCheck(low, T)).toMatchObject({ verdict: 'INCONCLUSIVE', score: 0.1 });
    expect(antiSpoofCheck(low.map((s, i) => ({ ...s, colourless: i !== 1 })), T).verdict).toBe('FAIL');
  });
});

describe('colourless faces', () => {
  const face = (pixel: (x: number, y: number) => [number, number, number]) => {
    const data = new Uint8Array(40 * 40 * 3);
    for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++) data.set(pixel(x, y), (y * 40 + x) * 3);
    return { width: 40, height: 40, data };
  };
  const box = { x: 5, y: 5, width: 30, height: 30 };

  it('a grey face (with 4:2:0 rounding) is colourless; skin tones, even pale ones, are not', () => {
    expect(isColourless(face((x, y) => [(x * 6 + y) % 256, ((x * 6 + y) % 256) + (x % 2), (x * 6 + y) % 256]), box)).toBe(true);
    expect(isColourless(face(() => [224, 172, 105]), box)).toBe(false);
    expect(isColourless(face(() => [236, 224, 214]), box)).toBe(false);
  });
});

describe('liveness decision per tenant mode', () => {
  const failing = {
    motion: motionCheck(frames(Array.from({ length: 5 }, () => view(HEAD, 0)), () => 0), T),
    documentReplay: documentReplayCheck(frames(Array.from({ length: 5 }, () => view(HEAD, 0)), () => 0, 0.99), T),
  };
  const enforce: LivenessPolicy = { motion: 'enforce', parallax: 'enforce', antiSpoof: 'enforce', documentReplay: 'enforce', challenge: 'off' };

  it('enforce: rejects with the most specific failed check', () => {
    const { report, rejection } = decideLiveness(failing, enforce);
    expect(rejection).toBe('LIVENESS_DOCUMENT_REPLAY');
    expect(report).toMatchObject({ verdict: 'FAIL', failedCheck: 'documentReplay' });
  });
  it('report: the same failures are returned, never rejecting', () => {
    const { report, rejection } = decideLiveness(failing, LIVENESS_REPORT_ONLY);
    expect(rejection).toBeUndefined();
    expect(report.verdict).toBe('PASS');
    expect(report.checks.find((c) => c.check === 'motion')).toMatchObject({ mode: 'report', verdict: 'FAIL' });
  });
  it('off: the check is skipped and cannot reject', () => {
    const { report, rejection } = decideLiveness(failing, { ...enforce, documentReplay: 'off' });
    expect(rejection).toBe('LIVENESS_NO_MOTION');
    expect(report.checks.find((c) => c.check === 'documentReplay')).toMatchObject({ mode: 'off', verdict: 'SKIPPED', score: null });
  });
  it('an inconclusive check never rejects, even enforced', () => {
    const inconclusive = { parallax: parallaxCheck(fitted(frames([view(HEAD, 0)], () => 0)), T) };
    expect(decideLiveness(inconclusive, enforce).rejection).toBeUndefined();
  });
});
