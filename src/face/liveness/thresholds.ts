import type { LivenessThresholds } from './checks.js';

/**
 * Calibrated with `npm run liveness:calibrate` on every genuine and attack fixture; docs/operate.md's
 * "Liveness" section has the scores and margins they come from. Part of the pipeline fingerprint.
 */
export const LIVENESS_THRESHOLDS: LivenessThresholds = {
  motionMinFaceChange: 2.0,
  parallaxMinResidual: 0.08,
  parallaxPairGapMs: 900,
  antiSpoofMinReal: 0.5,
  antiSpoofFrames: 5,
  replayMaxSimilarity: 0.93,
  challengeMinYaw: 0.3,
};
