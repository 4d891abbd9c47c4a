import { describe, expect, it } from 'vitest';
import { FAULT_KINDS } from '../../dev/chaos/fault-injector.js';
import { CHAOS_DEFAULTS, runChaos } from '../../dev/chaos/run.js';

// The short chaos run of `.ci/run` (`npm run chaos` is the long one): the stack as separate
// processes, every fault kind once while sessions are in flight, then the exactly-once checks.
describe('chaos (short run)', () => {
  it('loses no session, decides each as a fault-free run does, and stores one result per key', async () => {
    const report = await runChaos({
      ...CHAOS_DEFAULTS,
      sessions: 32,
      faultsEach: 1,
      faultGapMs: [2_000, 6_000],
      uploadTimeout: '30s',
      seed: 7,
      log: (line) => console.log(`[chaos] ${line}`),
    });
    console.log(JSON.stringify(report.summary));
    for (const problem of report.findings.problems) console.log(`[chaos] problem: ${problem}`);
    expect(report.faults.map((f) => f.kind).sort()).toEqual([...FAULT_KINDS].sort());
    expect(report.summary).toMatchObject({
      sessions: 32,
      lost: 0,
      wrong_verdicts: 0,
      duplicate_results: 0,
      extra_inferences: 0,
      left_running: 0,
      temporal_disagreements: 0,
      orphan_blobs: 0,
      missing_blobs: 0,
      webhooks_missing: 0,
      webhook_duplicate_ids: 0,
      unexpected_5xx: 0,
      contract_violations: 0,
    });
    expect(report.unplannedExits).toEqual([]);
    // Every process of the stack serves its metrics, and each worker the Temporal SDK's as well.
    const families = (name: string) => report.metrics[name]?.families ?? [];
    expect(families('api')).toEqual(expect.arrayContaining(['kyc_http_requests_total', 'kyc_http_request_duration_seconds', 'kyc_uploaded_bytes_total']));
    expect(families('orchestration-worker')).toEqual(expect.arrayContaining(['kyc_sessions_total', 'kyc_webhook_deliveries_total']));
    for (const gpu of ['gpu-worker-1', 'gpu-worker-2']) {
      expect(families(gpu)).toEqual(expect.arrayContaining(['kyc_inference_runs_total', 'kyc_comparison_claims_total', 'kyc_gpu_schedule_to_start_seconds']));
    }
    for (const worker of ['orchestration-worker', 'gpu-worker-1', 'gpu-worker-2']) {
      expect(families(`${worker} (Temporal SDK)`).some((f) => f.startsWith('temporal_')), `${worker}: Temporal SDK metrics`).toBe(true);
    }
  }, 900_000);
});
