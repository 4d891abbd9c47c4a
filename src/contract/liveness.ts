import type { RejectionReason } from './media.js';

/** The liveness checks, each with its own mode per tenant. */
export const LIVENESS_CHECKS = ['motion', 'parallax', 'antiSpoof', 'documentReplay', 'challenge'] as const;
export type LivenessCheckName = (typeof LIVENESS_CHECKS)[number];
/** `enforce` rejects on failure, `report` computes and returns it only, `off` skips the check. */
export const LIVENESS_MODES = ['enforce', 'report', 'off'] as const;
export type LivenessMode = (typeof LIVENESS_MODES)[number];
export type LivenessPolicy = Record<LivenessCheckName, LivenessMode>;
/** Every check computed and returned, none rejecting: for trials of a new integration. */
export const LIVENESS_REPORT_ONLY: LivenessPolicy = { motion: 'report', parallax: 'report', antiSpoof: 'report', documentReplay: 'report', challenge: 'report' };

/** The reason a session is rejected with when an enforced check fails. */
export const LIVENESS_REJECTIONS: Record<LivenessCheckName, RejectionReason> = {
  motion: 'LIVENESS_NO_MOTION',
  parallax: 'LIVENESS_PLANAR_FACE',
  antiSpoof: 'LIVENESS_PRESENTATION_ATTACK',
  documentReplay: 'LIVENESS_DOCUMENT_REPLAY',
  challenge: 'LIVENESS_CHALLENGE_FAILED',
};

/** What a failure of each check means, for API users (`/docs`) and operators. */
export const LIVENESS_FAILURE_MEANING: Record<LivenessCheckName, string> = {
  motion: 'the face does not change from frame to frame (a still photo looped into a video)',
  parallax: 'one homography explains how the whole face changes between frames (a print, screen or card moved in front of the camera)',
  antiSpoof: 'the anti-spoofing models see a print, a screen or a recaptured picture',
  documentReplay: 'the selfie face is the ID portrait itself on nearly every frame',
  challenge: "the session's requested head turns were not seen in order",
};

export const CHALLENGE_STEPS = ['TURN_LEFT', 'TURN_RIGHT'] as const;
/** A head turn to the subject's own left or right. */
export type ChallengeStep = (typeof CHALLENGE_STEPS)[number];
export interface LivenessChallenge {
  steps: ChallengeStep[];
}

/** SKIPPED when the mode is `off`; INCONCLUSIVE when the video gave the check nothing to judge. */
export const CHECK_VERDICTS = ['PASS', 'FAIL', 'INCONCLUSIVE', 'SKIPPED'] as const;
export const LIVENESS_VERDICTS = ['PASS', 'FAIL'] as const;

export interface LivenessCheckReport {
  check: LivenessCheckName;
  mode: LivenessMode;
  verdict: (typeof CHECK_VERDICTS)[number];
  score: number | null;
  threshold: number;
  /** Model ids (and checksums) the score came from, for model-based checks. */
  model?: string;
  /** Timestamps (ms) of the frames the check used. */
  framesUsed: number[];
  detail: string;
}

export interface LivenessReport {
  /** FAIL when an enforced check failed; report-mode failures are visible per check only. */
  verdict: (typeof LIVENESS_VERDICTS)[number];
  /** The first enforced check that failed. */
  failedCheck: LivenessCheckName | null;
  checks: LivenessCheckReport[];
}
