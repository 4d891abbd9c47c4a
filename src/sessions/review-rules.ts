import type { FaceMatchVerdict, LivenessReport, ReviewPolicy, ReviewTrigger } from '../contract/face-similarity.js';

/**
 * Which of a tenant's review triggers a verified machine decision meets (none: the machine's
 * decision stands). Pure: the recorder applies it to the signed comparison, never to a claim.
 */
export function reviewTriggers(policy: ReviewPolicy | null, verdict: Pick<FaceMatchVerdict, 'similarity' | 'threshold'>, liveness: LivenessReport | null): ReviewTrigger[] {
  if (!policy) return [];
  const triggers: ReviewTrigger[] = [];
  if (policy.always) triggers.push('ALWAYS');
  // Rounded like the API shows them, so a score shown as "at the threshold" is in the band.
  const margin = Math.abs(Math.round((verdict.similarity - verdict.threshold) * 1e6) / 1e6);
  if (policy.similarityBand > 0 && margin <= policy.similarityBand) triggers.push('SIMILARITY_NEAR_THRESHOLD');
  if (policy.livenessReportFailures && liveness?.checks.some((c) => c.mode === 'report' && c.verdict === 'FAIL')) triggers.push('LIVENESS_REPORT_FAILED');
  return triggers;
}
