// npm run liveness:calibrate: every genuine and every attack fixture through the real pipeline
// with all liveness checks in report mode; prints each check's score per video and, per check,
// the margin between the worst genuine and the most convincing attack. Thresholds in
// src/face/liveness/thresholds.ts are set from this output (docs/operate.md, "Liveness").
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LIVENESS_CHECKS, LIVENESS_REPORT_ONLY, type LivenessCheckName } from '../src/contract/face-similarity.js';
import { MediaRejectedError } from '../src/media/errors.js';
import { LIVENESS_THRESHOLDS } from '../src/face/liveness/thresholds.js';
import { FacePipeline } from '../src/face/pipeline.js';
import { runMain } from '../src/runtime/main.js';
import { quietLogger, testConfig } from '../dev/face-pipeline.js';
import { genuineVariationCases, livenessCases } from '../dev/liveness-cases.js';
import { videoDurationMs } from '../dev/media.js';

/** Which way a check's score must point for a genuine capture. */
const GENUINE_IS: Record<LivenessCheckName, 'high' | 'low'> = {
  motion: 'high',
  parallax: 'high',
  antiSpoof: 'high',
  documentReplay: 'low',
  challenge: 'high',
};

/** Margin: worst genuine to the threshold; gap: worst genuine to the closest attack the check catches. */
const SUMMARY_HEADINGS = ['threshold', 'worst genuine', 'margin', 'closest attack', 'gap', 'genuine failing', 'attacks caught'];

runMain('liveness:calibrate', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'kyc-liveness-'));
  try {
    const pipeline = await FacePipeline.load(testConfig({ EXECUTION_PROVIDER: 'cpu' }).face, quietLogger());
    const cases = [...(await livenessCases(dir, videoDurationMs)), ...(await genuineVariationCases(dir, videoDurationMs))];
    const rows: {
      name: string;
      source: string;
      genuine: boolean;
      scores: Partial<Record<LivenessCheckName, number | null>>;
      failed: LivenessCheckName[];
      note: string;
      gated?: boolean;
    }[] = [];
    for (const c of cases) {
      try {
        const report = await pipeline.compare(c.idImage, c.video, { liveness: { policy: { ...LIVENESS_REPORT_ONLY, challenge: 'off' } } });
        const checks = report.liveness!.checks;
        rows.push({
          name: c.name,
          source: c.source ?? c.name,
          genuine: c.genuine,
          scores: Object.fromEntries(checks.map((k) => [k.check, k.score])),
          failed: checks.filter((k) => k.verdict === 'FAIL').map((k) => k.check),
          note: `match ${report.match} (${report.similarity.toFixed(3)})`,
        });
      } catch (err) {
        const reason = err instanceof MediaRejectedError ? err.reason : String(err);
        rows.push({ name: c.name, source: c.source ?? c.name, genuine: c.genuine, scores: {}, failed: [], note: `quality gate: ${reason}`, gated: true });
      }
    }
    const checks = LIVENESS_CHECKS.filter((c) => c !== 'challenge');
    const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(3)).padStart(10);
    const label = (c: LivenessCheckName) => (c === 'documentReplay' ? 'docReplay' : c).padStart(10);
    console.log(`${'video'.padEnd(46)}${checks.map(label).join('')}  outcome`);
    for (const r of rows) {
      const outcome = r.gated ? r.note : r.failed.length ? `${r.failed.join(' + ')} FAIL` : `all pass, ${r.note}`;
      console.log(`${(r.genuine ? 'genuine ' : 'attack  ') + r.name}`.slice(0, 45).padEnd(46) + checks.map((c) => fmt(r.scores[c])).join('') + `  ${outcome}`);
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
    console.log('check'.padEnd(15) + SUMMARY_HEADINGS.map((h) => h.padStart(Math.max(7, h.length) + 2)).join(''));
    for (const check of checks) {
      const high = GENUINE_IS[check] === 'high';
      const values = (genuine: boolean) => rows.filter((r) => r.genuine === genuine).map((r) => r.scores[check]).filter((v): v is number => typeof v === 'number');
      const g = values(true);
      const a = values(false);
      const worstGenuine = g.length ? (high ? Math.min(...g) : Math.max(...g)) : null;
      const caughtBy = (v: number) => (high ? v < thresholds[check] : v >= thresholds[check]);
      const attacksCaught = a.filter(caughtBy).length;
      const genuineRejected = g.filter(caughtBy).length;
      const margin = worstGenuine === null ? null : Math.round((high ? worstGenuine - thresholds[check] : thresholds[check] - worstGenuine) * 1000) / 1000;
      // The attack this check catches that came closest to passing, and how far genuine stays from it.
      const caughtScores = a.filter(caughtBy);
      const closestAttack = caughtScores.length ? (high ? Math.max(...caughtScores) : Math.min(...caughtScores)) : null;
      const gap = worstGenuine === null || closestAttack === null ? null : Math.round(Math.abs(worstGenuine - closestAttack) * 1000) / 1000;
      summary[check] = {
        threshold: thresholds[check],
        worst_genuine: worstGenuine,
        genuine_margin: margin,
        closest_caught_attack: closestAttack,
        group_gap: gap,
        genuine_failing: genuineRejected,
        attacks_caught: `${attacksCaught}/${a.length}`,
      };
      const cells = [
        `${high ? '≥' : '<'} ${thresholds[check]}`,
        worstGenuine?.toFixed(3) ?? '—',
        margin?.toFixed(3) ?? '—',
        closestAttack?.toFixed(3) ?? '—',
        gap?.toFixed(3) ?? '—',
        `${genuineRejected}/${g.length}`,
        `${attacksCaught}/${a.length}`,
      ];
      console.log(check.padEnd(15) + cells.map((c, i) => c.padStart(Math.max(7, SUMMARY_HEADINGS[i]!.length) + 2)).join(''));
    }

    // Fitted on half the captures, judged on the other half: variations of one capture stay on
    // one side, attacks alternate. A threshold sits halfway between the worst genuine score and
    // the closest attack beyond it (or halfway to the scale's end when none is beyond it).
    const sources = [...new Set(rows.filter((r) => r.genuine).map((r) => r.source))].sort();
    const attacks = rows.filter((r) => !r.genuine).map((r) => r.source);
    const inCalibration = (r: (typeof rows)[number]) => (r.genuine ? sources.indexOf(r.source) % 2 === 0 : attacks.indexOf(r.source) % 2 === 0);
    const calibration = rows.filter(inCalibration);
    const test = rows.filter((r) => !inCalibration(r));
    console.log(`\nsplit: calibration ${calibration.filter((r) => r.genuine).length} genuine + ${calibration.filter((r) => !r.genuine).length} attacks; test ${test.filter((r) => r.genuine).length} genuine + ${test.filter((r) => !r.genuine).length} attacks`);
    console.log('check'.padEnd(15) + ['fitted', 'shipped', 'test genuine failing (fitted / shipped)', 'test attacks caught (fitted / shipped)'].map((h) => h.padStart(h.length + 2)).join(''));
    const split: Record<string, unknown> = {};
    for (const check of checks) {
      const high = GENUINE_IS[check] === 'high';
      const scores = (set: typeof rows, genuine: boolean) => set.filter((r) => r.genuine === genuine).map((r) => r.scores[check]).filter((v): v is number => typeof v === 'number');
      const g = scores(calibration, true);
      const a = scores(calibration, false);
      if (!g.length) continue;
      const worst = high ? Math.min(...g) : Math.max(...g);
      const beyond = a.filter((v) => (high ? v < worst : v > worst));
      const closest = beyond.length ? (high ? Math.max(...beyond) : Math.min(...beyond)) : high ? 0 : 1;
      const fitted = Math.round(((worst + closest) / 2) * 1000) / 1000;
      const caughtAt = (t: number) => (v: number) => (high ? v < t : v >= t);
      const tg = scores(test, true);
      const ta = scores(test, false);
      const cells = [
        `${high ? '≥' : '<'} ${fitted}`,
        `${high ? '≥' : '<'} ${thresholds[check]}`,
        `${tg.filter(caughtAt(fitted)).length}/${tg.length} / ${tg.filter(caughtAt(thresholds[check])).length}/${tg.length}`,
        `${ta.filter(caughtAt(fitted)).length}/${ta.length} / ${ta.filter(caughtAt(thresholds[check])).length}/${ta.length}`,
      ];
      split[check] = { fitted, shipped: thresholds[check], test_genuine_failing_fitted: tg.filter(caughtAt(fitted)).length, test_genuine_failing_shipped: tg.filter(caughtAt(thresholds[check])).length, test_genuine: tg.length, test_attacks_caught_fitted: ta.filter(caughtAt(fitted)).length, test_attacks_caught_shipped: ta.filter(caughtAt(thresholds[check])).length, test_attacks: ta.length };
      console.log(check.padEnd(15) + cells.map((c, i) => c.padStart([8, 9, 41, 40][i]!)).join(''));
    }
    const caught = rows.filter((r) => !r.genuine && (r.failed.length > 0 || r.gated)).length;
    const falseRejects = rows.filter((r) => r.genuine && (r.failed.length > 0 || r.gated)).length;
    console.log(JSON.stringify({ genuine: rows.filter((r) => r.genuine).length, attacks: rows.filter((r) => !r.genuine).length, attacks_rejected: caught, genuine_rejected: falseRejects, checks: summary, split }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
