/**
 * The liveness checks as pure functions of the frame evidence: each returns a score, the
 * threshold it is held to, and the frames it looked at. Thresholds are calibrated by
 * `npm run liveness:calibrate` on the genuine and attack fixtures (docs/operate.md, "Liveness").
 */
import type { ChallengeStep, LivenessCheckName } from '../../contract/face-similarity.js';
import { meanAbsDiff, quantile, type FrameEvidence } from './evidence.js';
import { yawProxy } from './pose.js';

export interface LivenessThresholds {
  /** Median change between consecutive aligned faces (grey levels) below which the face is frozen. */
  motionMinFaceChange: number;
  /** Residual of the aligned face off its best homography (grey-level deviations) a live face exceeds. */
  parallaxMinResidual: number;
  /** Time between the two frames of a planarity pair. */
  parallaxPairGapMs: number;
  /** Median fused real-face probability of MiniFASNet over the best frames. */
  antiSpoofMinReal: number;
  antiSpoofFrames: number;
  /** Low quantile of per-frame similarity to the ID at or above which the selfie is the ID portrait. */
  replayMaxSimilarity: number;
  /** Yaw proxy (half eye distances) a challenged head turn must reach. */
  challengeMinYaw: number;
}

export type CheckVerdict = 'PASS' | 'FAIL' | 'INCONCLUSIVE';

export interface CheckOutcome {
  check: LivenessCheckName;
  verdict: CheckVerdict;
  score: number | null;
  threshold: number;
  /** Timestamps (ms) of the frames the check looked at. */
  framesUsed: number[];
  detail: string;
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;
const withFace = (frames: readonly FrameEvidence[]) => frames.filter((f) => f.face !== undefined);

/**
 * A live capture changes: the aligned face (similarity motion removed) differs from frame to
 * frame through expression, blinks, pose and light. A looped still or a photo moved around
 * keeps the aligned face nearly constant, whatever the camera does.
 */
export function motionCheck(frames: readonly FrameEvidence[], t: LivenessThresholds): CheckOutcome {
  const faces = withFace(frames);
  const changes: number[] = [];
  for (let i = 1; i < faces.length; i++) changes.push(meanAbsDiff(faces[i - 1]!.face!.alignedThumb, faces[i]!.face!.alignedThumb));
  const framesUsed = faces.map((f) => f.timestampMs);
  if (changes.length < 2) {
    return { check: 'motion', verdict: 'FAIL', score: null, threshold: t.motionMinFaceChange, framesUsed, detail: `only ${faces.length} frames with a face` };
  }
  const score = round(quantile(changes, 0.75));
  return {
    check: 'motion',
    verdict: score >= t.motionMinFaceChange ? 'PASS' : 'FAIL',
    score,
    threshold: t.motionMinFaceChange,
    framesUsed,
    detail: `upper-quartile change of the aligned face over ${changes.length} frame pairs`,
  };
}

/**
 * Planarity (after De Marsico et al., ICB 2012): a flat photo, screen or card moved in front of
 * the camera changes by one homography between any two frames, pixel for pixel; a live face does
 * not (its nose and cheeks move against each other as it turns, it blinks, it talks). The
 * homography is fitted densely to the aligned face (dense-planarity.ts) because five landmarks
 * are too few and too noisy: their jitter is as large as a real nose's parallax.
 */
export function parallaxCheck(fitted: readonly { pair: readonly [FrameEvidence, FrameEvidence]; residual: number }[], t: LivenessThresholds): CheckOutcome {
  if (fitted.length === 0) {
    return {
      check: 'parallax',
      verdict: 'INCONCLUSIVE',
      score: null,
      threshold: t.parallaxMinResidual,
      framesUsed: [],
      detail: 'fewer than two frames with a face',
    };
  }
  const residuals = fitted.map((f) => f.residual);
  const used = new Set(fitted.flatMap(({ pair: [a, b] }) => [a.timestampMs, b.timestampMs]));
  const score = round(quantile(residuals, 0.9));
  return {
    check: 'parallax',
    verdict: score >= t.parallaxMinResidual ? 'PASS' : 'FAIL',
    score,
    threshold: t.parallaxMinResidual,
    framesUsed: [...used].sort((x, y) => x - y),
    detail: `90th percentile, over ${residuals.length} frame pairs, of the face's change that no single homography (a flat picture moved) explains`,
  };
}

/**
 * MiniFASNet's fused real-face probability on the best frames, voted by the median. On colourless
 * frames it is INCONCLUSIVE: the models judge colour texture, and called genuine greyscale
 * captures attacks (4 of 7 grey re-encodes of genuine clips scored 0.01–0.23); flat attacks in
 * grey are still the parallax check's, which caught every attack this check caught.
 */
export function antiSpoofCheck(scores: readonly { timestampMs: number; real: number; colourless?: boolean }[], t: LivenessThresholds): CheckOutcome {
  if (scores.length === 0) {
    return { check: 'antiSpoof', verdict: 'FAIL', score: null, threshold: t.antiSpoofMinReal, framesUsed: [], detail: 'no frame to score' };
  }
  const score = round(quantile(scores.map((s) => s.real), 0.5));
  if (scores.every((s) => s.colourless)) {
    return {
      check: 'antiSpoof',
      verdict: 'INCONCLUSIVE',
      score,
      threshold: t.antiSpoofMinReal,
      framesUsed: scores.map((s) => s.timestampMs),
      detail: `greyscale frames: the models judge colour texture, so their median (${score}) decides nothing; motion and parallax judge this video`,
    };
  }
  return {
    check: 'antiSpoof',
    verdict: score >= t.antiSpoofMinReal ? 'PASS' : 'FAIL',
    score,
    threshold: t.antiSpoofMinReal,
    framesUsed: scores.map((s) => s.timestampMs),
    detail: `median fused real probability over ${scores.length} frames`,
  };
}

/**
 * Document replay: the ID portrait itself held up to the camera gives a near-identical embedding
 * in every frame, above anything two captures of one living face give. The low quantile asks
 * for it on (nearly) every frame, so one lucky frame of a genuine selfie never trips it.
 */
export function documentReplayCheck(frames: readonly FrameEvidence[], t: LivenessThresholds): CheckOutcome {
  const scored = frames.filter((f) => f.face?.similarity !== null && f.face?.similarity !== undefined);
  if (scored.length === 0) {
    return { check: 'documentReplay', verdict: 'INCONCLUSIVE', score: null, threshold: t.replayMaxSimilarity, framesUsed: [], detail: 'no usable frame' };
  }
  const score = round(quantile(scored.map((f) => f.face!.similarity!), 0.2));
  return {
    check: 'documentReplay',
    verdict: score < t.replayMaxSimilarity ? 'PASS' : 'FAIL',
    score,
    threshold: t.replayMaxSimilarity,
    framesUsed: scored.map((f) => f.timestampMs),
    detail: `20th-percentile similarity to the ID face over ${scored.length} frames (at or above the threshold: the ID itself)`,
  };
}

/** The yaw a step asks for, in the yaw proxy's sign: the subject's left is the image's right. */
export const STEP_SIGN: Record<ChallengeStep, 1 | -1> = { TURN_LEFT: 1, TURN_RIGHT: -1 };

/**
 * Active challenge: the requested head turns must appear in the requested order. Each step is
 * met by the first later frame whose yaw reaches the threshold in the step's direction.
 */
export function challengeCheck(frames: readonly FrameEvidence[], steps: readonly ChallengeStep[], t: LivenessThresholds): CheckOutcome {
  const faces = withFace(frames);
  const met: number[] = [];
  let from = 0;
  for (const step of steps) {
    const index = faces.findIndex((f, i) => i >= from && STEP_SIGN[step] * yawProxy(f.face!.landmarks) >= t.challengeMinYaw);
    if (index < 0) break;
    met.push(faces[index]!.timestampMs);
    from = index + 1;
  }
  const score = steps.length === 0 ? 1 : round(met.length / steps.length);
  return {
    check: 'challenge',
    verdict: met.length === steps.length ? 'PASS' : 'FAIL',
    score,
    threshold: 1,
    framesUsed: met,
    detail: `${met.length} of ${steps.length} requested head turns (${steps.join(', ')}) seen in order`,
  };
}
