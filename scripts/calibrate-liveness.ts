// npm run liveness:calibrate: every genuine and every attack fixture through the real pipeline
// with all liveness checks in report mode; prints each check's score per video and, per check,
// the margin between the worst genuine and the most convincing attack. Thresholds in
// src/face/liveness/thresholds.ts are set from this output (README, "Liveness").
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LIVENESS_CHECKS, LIVENESS_REPORT_ONLY, type LivenessCheckName } from '../src/contract/face-similarity.js';
import { MediaRejectedError } from '../src/media/errors.js';
import { LIVENESS_THRESHOLDS } from '../src/face/liveness/thresholds.js';
import { FacePipeline } from '../src/face/pipeline.js';
import { runMain } from '../src/runtime/main.js';
import { quietLogger, testConfig } from '../dev/face-pipeline.js';
import { livenessCases } from '../dev/liveness-cases.js';
import { videoDurationMs } from '../dev/media.js';

/** Which way a check's score must point for a genuine capture. */
const GENUINE_IS: Record<LivenessCheckName, 'high' | 'low'> = {
  motion: 'high',
  parallax: 'high',
  antiSpoof: 'high',
  documentReplay: 'low',
  challenge: 'high',
};

runMain('liveness:calibrate', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'kyc-liveness-'));
  try {
    const pipeline = await FacePipeline.load(testConfig({ EXECUTION_PROVIDER: 'cpu' }).face, quietLogger());
    const cases = await livenessCases(dir, videoDurationMs);
    const rows: { name: string; genuine: boolean; scores: Partial<Record<LivenessCheckName, number | null>>; verdicts: string; note: string }[] = [];
    for (const c of cases) {
      try {
        const report = await pipeline.compare(c.idImage, c.video, { liveness: { policy: { ...LIVENESS_REPORT_ONLY, challenge: 'off' } } });
        const checks = report.liveness!.checks;
        rows.push({
          name: c.name,
          genuine: c.genuine,
          scores: Object.fromEntries(checks.map((k) => [k.check, k.score])),
          verdicts: checks.filter((k) => k.verdict !== 'SKIPPED').map((k) => `${k.check}:${k.verdict}`).join(' '),
          note: `sim ${report.similarity} match ${report.match}`,
        });
      } catch (err) {
        const reason = err instanceof MediaRejectedError ? err.reason : String(err);
        rows.push({ name: c.name, genuine: c.genuine, scores: {}, verdicts: '', note: `rejected before liveness: ${reason}` });
      }
    }
    const checks = LIVENESS_CHECKS.filter((c) => c !== 'challenge');
    const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(3)).padStart(15);
    console.log(`${'video'.padEnd(46)}${checks.map((c) => c.padStart(15)).join('')}  verdicts / note`);
    for (const r of rows) {
      console.log(`${(r.genuine ? 'genuine ' : 'attack  ') + r.name}`.padEnd(46) + checks.map((c) => fmt(r.scores[c])).join('') + `  ${r.verdicts}  ${r.note}`);
    }
    console.log('');
    const thresholds: Record<LivenessCheckName, number> = {
      motion: LIVENESS_THRESHOLDS.motionMinFaceChange,
      parallax: LIVENESS_THRESHOLDS.parallaxMinResidual,
      antiSpoof: LIVENESS_THRESHOLDS.antiSpoofMinReal,
      documentReplay: LIVENESS_THRESHOLDS.replayMaxSimilarity,
      challenge: LIVENESS_THRESHOLDS.challengeMinYaw,
    };
    const summary: Record<string, unknown> = {};
    for (const check of checks) {
      const high = GENUINE_IS[check] === 'high';
      const values = (genuine: boolean) => rows.filter((r) => r.genuine === genuine).map((r) => r.scores[check]).filter((v): v is number => typeof v === 'number');
      const g = values(true);
      const a = values(false);
      const worstGenuine = g.length ? (high ? Math.min(...g) : Math.max(...g)) : null;
      const attacksCaught = a.filter((v) => (high ? v < thresholds[check] : v >= thresholds[check])).length;
      const genuineRejected = g.filter((v) => (high ? v < thresholds[check] : v >= thresholds[check])).length;
      const margin = worstGenuine === null ? null : Math.round((high ? worstGenuine - thresholds[check] : thresholds[check] - worstGenuine) * 1000) / 1000;
      summary[check] = { threshold: thresholds[check], worst_genuine: worstGenuine, genuine_margin: margin, genuine_failing: genuineRejected, attacks_caught: `${attacksCaught}/${a.length}` };
      console.log(
        `${check.padEnd(15)} threshold ${thresholds[check]}  worst genuine ${worstGenuine?.toFixed(3)}  margin ${margin}  ` +
          `genuine failing ${genuineRejected}/${g.length}  attacks caught ${attacksCaught}/${a.length}`,
      );
    }
    const caught = rows.filter((r) => !r.genuine && (r.verdicts.includes('FAIL') || r.note.startsWith('rejected'))).length;
    const falseRejects = rows.filter((r) => r.genuine && (r.verdicts.includes('FAIL') || r.note.startsWith('rejected'))).length;
    console.log(JSON.stringify({ genuine: rows.filter((r) => r.genuine).length, attacks: rows.filter((r) => !r.genuine).length, attacks_rejected: caught, genuine_rejected: falseRejects, checks: summary }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
