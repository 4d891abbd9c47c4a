/**
 * The liveness checks as pure functions of the frame evidence: each returns a score, the
 * threshold it is held to, and the frames it looked at. Thresholds are calibrated by
 * `npm run liveness:calibrate` on the genuine and attack fixtures (README, "Liveness").
 */
import type { ChallengeStep, LivenessCheckName } from '../../contract/face-similarity.js';
import { applyAffine, estimateSimilarity } from '../geometry/align.js';
import type { Point } from '../types.js';
import { meanAbsDiff, quantile, type FrameEvidence } from './evidence.js';
import { applyHomography, homographyFrom4 } from './homography.js';
import { eyeDistance, yawProxy } from './pose.js';

export interface LivenessThresholds {
  /** Median change between consecutive aligned faces (grey levels) below which the face is frozen. */
  motionMinFaceChange: number;
  /** Nose residual (eye distances) a real head shows once the outer points have turned this much. */
  parallaxMinResidual: number;
  /** Outer-landmark distortion (eye distances) from which the planarity verdict is meaningful. */
  parallaxMinDistortion: number;
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

/** How far four points moved beyond what one similarity transform explains, in eye distances. */
function nonSimilarity(src: readonly Point[], dst: readonly Point[], scale: number): number {
  let m: ReturnType<typeof estimateSimilarity>;
  try {
    m = estimateSimilarity(src, dst);
  } catch {
    return 0; // degenerate landmarks (all at one point): nothing turned that can be measured
  }
  return Math.max(...src.map((p, i) => Math.hypot(applyAffine(m, p)[0] - dst[i]![0], applyAffine(m, p)[1] - dst[i]![1]))) / scale;
}

/**
 * Planarity (De Marsico et al., ICB 2012): a flat photo or screen moves all five landmarks by one
 * homography; a real head does not, because the nose tip stands out of the plane of the eyes and
 * mouth corners. For every pair of frames whose outer points turned visibly (their motion is not
 * a plain similarity), the homography of the four outer points predicts the nose; a real head
 * misses that prediction. Without such a pair the check is inconclusive: nothing was turned.
 */
export function parallaxCheck(frames: readonly FrameEvidence[], t: LivenessThresholds): CheckOutcome {
  const faces = withFace(frames);
  const residuals: number[] = [];
  const used = new Set<number>();
  for (let i = 0; i < faces.length; i++) {
    for (let j = i + 1; j < faces.length; j++) {
      const a = faces[i]!.face!.landmarks;
      const b = faces[j]!.face!.landmarks;
      const scale = (eyeDistance(a) + eyeDistance(b)) / 2;
      if (scale <= 0) continue;
      const outerA = [a[0]!, a[1]!, a[3]!, a[4]!];
      const outerB = [b[0]!, b[1]!, b[3]!, b[4]!];
      const turned = nonSimilarity(outerA, outerB, scale) + Math.abs(yawProxy(a) - yawProxy(b)) / 2;
      if (turned < t.parallaxMinDistortion) continue;
      const h = homographyFrom4(outerA, outerB);
      if (!h) continue;
      const [px, py] = applyHomography(h, a[2]!);
      residuals.push(Math.hypot(px - b[2]![0], py - b[2]![1]) / scale);
      used.add(faces[i]!.timestampMs).add(faces[j]!.timestampMs);
    }
  }
  if (residuals.length === 0) {
    return {
      check: 'parallax',
      verdict: 'INCONCLUSIVE',
      score: null,
      threshold: t.parallaxMinResidual,
      framesUsed: [],
      detail: 'no pair of frames turned enough to tell a head from a flat picture',
    };
  }
  const score = round(quantile(residuals, 0.9));
  return {
    check: 'parallax',
    verdict: score >= t.parallaxMinResidual ? 'PASS' : 'FAIL',
    score,
    threshold: t.parallaxMinResidual,
    framesUsed: [...used].sort((x, y) => x - y),
    detail: `90th-percentile nose-tip residual off the outer landmarks' homography over ${residuals.length} turned frame pairs`,
  };
}

/** MiniFASNet's fused real-face probability on the best frames, voted by the median. */
export function antiSpoofCheck(scores: readonly { timestampMs: number; real: number }[], t: LivenessThresholds): CheckOutcome {
  if (scores.length === 0) {
    return { check: 'antiSpoof', verdict: 'FAIL', score: null, threshold: t.antiSpoofMinReal, framesUsed: [], detail: 'no frame to score' };
  }
  const score = round(quantile(scores.map((s) => s.real), 0.5));
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
