import { describe, expect, it } from 'vitest';
import { reviewPolicySchema, type LivenessReport } from '../../src/contract/face-similarity.js';
import { reviewTriggers } from '../../src/sessions/review-rules.js';

const policy = (p: Record<string, unknown>) => reviewPolicySchema.parse(p);
const liveness = (mode: 'report' | 'enforce', verdict: 'PASS' | 'FAIL'): LivenessReport => ({
  verdict: 'PASS',
  failedCheck: null,
  checks: [{ check: 'antiSpoof', mode, verdict, score: 0.3, threshold: 0.5, framesUsed: [0], detail: '' }],
});

describe('reviewTriggers', () => {
  it('sends nothing to a person without a policy, or with one whose triggers are off', () => {
    expect(reviewTriggers(null, { similarity: 0.4, threshold: 0.4 }, null)).toEqual([]);
    expect(reviewTriggers(policy({}), { similarity: 0.4, threshold: 0.4 }, liveness('report', 'FAIL'))).toEqual([]);
  });

  it('sends a similarity within the band on either side of the threshold, edges included, and nothing outside it', () => {
    const band = policy({ similarityBand: 0.05 });
    for (const similarity of [0.35, 0.38, 0.4, 0.43, 0.45]) expect(reviewTriggers(band, { similarity, threshold: 0.4 }, null), String(similarity)).toEqual(['SIMILARITY_NEAR_THRESHOLD']);
    for (const similarity of [0.3499, 0.4501, 0.9, 0.1]) expect(reviewTriggers(band, { similarity, threshold: 0.4 }, null), String(similarity)).toEqual([]);
  });

  it('sends a failed report-mode liveness check, not a failed enforced one (that one rejected already) or a pass', () => {
    const p = policy({ livenessReportFailures: true });
    expect(reviewTriggers(p, { similarity: 0.9, threshold: 0.4 }, liveness('report', 'FAIL'))).toEqual(['LIVENESS_REPORT_FAILED']);
    expect(reviewTriggers(p, { similarity: 0.9, threshold: 0.4 }, liveness('enforce', 'FAIL'))).toEqual([]);
    expect(reviewTriggers(p, { similarity: 0.9, threshold: 0.4 }, liveness('report', 'PASS'))).toEqual([]);
  });

  it('names every trigger met, and `always` sends everything', () => {
    expect(reviewTriggers(policy({ always: true, similarityBand: 0.1, livenessReportFailures: true }), { similarity: 0.42, threshold: 0.4 }, liveness('report', 'FAIL'))).toEqual([
      'ALWAYS',
      'SIMILARITY_NEAR_THRESHOLD',
      'LIVENESS_REPORT_FAILED',
    ]);
  });

  it('keeps a policy within safe bounds: no band wider than 0.3, no wait shorter than a minute, no unknown field', () => {
    expect(() => policy({ similarityBand: 0.5 })).toThrow();
    expect(() => policy({ timeoutMs: 1000 })).toThrow();
    expect(() => policy({ autoApproveEverything: true })).toThrow();
    expect(policy({})).toMatchObject({ timeoutMs: 72 * 3_600_000, onTimeout: 'REJECT', serviceLevelMs: 24 * 3_600_000 });
  });
});
