import { randomInt } from 'node:crypto';
import { CHALLENGE_STEPS, LIVENESS_CHECKS, type LivenessChallenge, type LivenessPolicy } from '../contract/face-similarity.js';

/** A tenant's own modes over the service defaults, check by check. */
export function effectiveLivenessPolicy(defaults: LivenessPolicy, tenantModes: Partial<LivenessPolicy>): LivenessPolicy {
  return Object.fromEntries(LIVENESS_CHECKS.map((check) => [check, tenantModes[check] ?? defaults[check]])) as LivenessPolicy;
}

/**
 * A fresh active challenge for a session: both head turns, in a random order, so a recording
 * made for another session (or before the session existed) fails it half the time per attempt.
 */
export function newChallenge(): LivenessChallenge {
  const steps = [...CHALLENGE_STEPS];
  if (randomInt(2) === 1) steps.reverse();
  return { steps };
}
