import {
  LIVENESS_CHECKS,
  LIVENESS_REJECTIONS,
  type LivenessCheckName,
  type LivenessPolicy,
  type LivenessReport,
  type RejectionReason,
} from '../../contract/face-similarity.js';
import type { CheckOutcome } from './checks.js';

/**
 * When several enforced checks fail, the most specific one names the rejection: the ID portrait
 * looped into a video is a document replay before it is a frozen face; a frozen face is also
 * flat, but "nothing moved" tells the user more; a print moved around is flat before the
 * texture model calls it an attack.
 */
export const REJECTION_PRECEDENCE: readonly LivenessCheckName[] = ['documentReplay', 'motion', 'parallax', 'antiSpoof', 'challenge'];

/**
 * Applies a session's policy to the checks' outcomes: a failure counts only where its check is
 * enforced; INCONCLUSIVE never rejects (a genuine capture that gave a check nothing to judge
 * must not cost a customer); `off` checks appear as SKIPPED.
 */
export function decideLiveness(
  outcomes: Partial<Record<LivenessCheckName, CheckOutcome>>,
  policy: LivenessPolicy,
  models: Partial<Record<LivenessCheckName, string>> = {},
): { report: LivenessReport; rejection?: RejectionReason } {
  const checks = LIVENESS_CHECKS.map((check) => {
    const mode = policy[check];
    const outcome = outcomes[check];
    if (mode === 'off' || !outcome) {
      return { check, mode, verdict: 'SKIPPED' as const, score: null, threshold: outcome?.threshold ?? 0, framesUsed: [], detail: 'check turned off' };
    }
    return { ...outcome, mode, ...(models[check] ? { model: models[check] } : {}) };
  });
  const failed = REJECTION_PRECEDENCE.map((name) => checks.find((c) => c.check === name)!).find(
    (c) => c.mode === 'enforce' && c.verdict === 'FAIL',
  );
  const report: LivenessReport = { verdict: failed ? 'FAIL' : 'PASS', failedCheck: failed?.check ?? null, checks };
  return failed ? { report, rejection: LIVENESS_REJECTIONS[failed.check] } : { report };
}
