import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { LIVENESS_REPORT_ONLY } from '../../src/contract/face-similarity.js';
import { PATCH_SIDE, planarFit } from '../../src/face/liveness/dense-planarity.js';
import type { FrameEvidence } from '../../src/face/liveness/evidence.js';
import { PlanarityWorker } from '../../src/face/liveness/planarity-worker.js';
import { LivenessRecorder, PlanarityPairs } from '../../src/face/liveness/recorder.js';

const patch = (shift: number) =>
  Float32Array.from({ length: PATCH_SIDE * PATCH_SIDE }, (_, i) => {
    const x = (i % PATCH_SIDE) + shift, y = Math.floor(i / PATCH_SIDE);
    return 128 + 40 * Math.sin(x * 0.35 + 1) * Math.cos(y * 0.27) + 30 * Math.sin((x + y) * 0.18 + shift);
  });
const frame = (timestampMs: number): FrameEvidence => ({
  timestampMs,
  face: { landmarks: [], alignedThumb: new Float32Array(0), alignedPatch: patch(timestampMs / 400), similarity: null },
});
const logger = pino({ level: 'silent' });
const noAntiSpoof = { realProbability: async () => 1, realProbabilities: async (faces: readonly unknown[]) => faces.map(() => 1) };

describe('PlanarityPairs', () => {
  it('pairs each frame with the first one at least the gap later, as soon as that one arrives', () => {
    const pairer = new PlanarityPairs(1000);
    const [f0, f1, f2, f3, f4] = [0, 500, 1000, 1500, 2600].map(frame);
    expect(pairer.add(f0!)).toEqual([]);
    expect(pairer.add(f1!)).toEqual([]);
    expect(pairer.add(f2!)).toEqual([[f0, f2]]);
    expect(pairer.add(f3!)).toEqual([[f1, f3]]);
    expect(pairer.add(f4!)).toEqual([[f2, f4], [f3, f4]]);
    expect(pairer.final()).toEqual([[f0, f2], [f1, f3], [f2, f4], [f3, f4]]);
  });

  it('falls back to consecutive frames for a clip shorter than the gap', () => {
    const pairer = new PlanarityPairs(1000);
    const frames = [0, 300, 600].map(frame);
    for (const f of frames) expect(pairer.add(f)).toEqual([]);
    expect(pairer.final()).toEqual([[frames[0], frames[1]], [frames[1], frames[2]]]);
  });
});

describe('PlanarityWorker', () => {
  it('fits on its thread, bit for bit as planarFit does here, and counts each fit there', async () => {
    const worker = new PlanarityWorker(logger);
    try {
      const pairs = [[patch(0), patch(1.5)], [patch(2), patch(0.5)], [patch(1), patch(1)]] as const;
      const fits = await Promise.all(pairs.map(([a, b]) => worker.fit(a, b)));
      expect(fits).toEqual(pairs.map(([a, b]) => planarFit(a, b)));
      expect(worker.stats).toEqual({ threaded: 3, inline: 0 });
    } finally {
      await worker.close();
    }
  });

  it('settles fits in flight when its thread dies under them, with the same numbers, and says so', async () => {
    const inline: number[] = [];
    const worker = new PlanarityWorker(logger, () => inline.push(1));
    const inFlight = [worker.fit(patch(0), patch(1)), worker.fit(patch(2), patch(3))];
    // The thread killed mid-task, as an out-of-memory kill or a native crash would end it.
    await (worker as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    expect(await Promise.all(inFlight)).toEqual([planarFit(patch(0), patch(1)), planarFit(patch(2), patch(3))]);
    expect(worker.threaded).toBe(false);
    // Not silent: every fit done here is counted (the worker's kyc_planarity_inline_fits_total).
    expect(worker.stats.inline).toBe(2);
    expect(inline).toHaveLength(2);
    await worker.fit(patch(4), patch(5));
    expect(worker.stats).toEqual({ threaded: 0, inline: 3 });
  });
});

describe('LivenessRecorder', () => {
  it('fits each planarity pair once, on the thread, while frames arrive, and scores parallax from those fits', async () => {
    const worker = new PlanarityWorker(logger);
    try {
      const recorder = new LivenessRecorder({ planarity: worker, antiSpoof: noAntiSpoof, antiSpoofModels: 'none' }, { policy: LIVENESS_REPORT_ONLY });
      const frames = [0, 500, 1000, 1500, 2000].map(frame);
      recorder.add(frames[0]!);
      recorder.add(frames[1]!);
      expect(worker.stats.threaded).toBe(0);
      recorder.add(frames[2]!);
      // The pair (0, 1000) went to the thread as soon as its later frame was in: it is fitted
      // before decide() is called. Polled, not slept, because a loaded CI machine may take
      // longer than any fixed pause to start the thread.
      await vi.waitFor(() => expect(worker.stats.threaded).toBe(1), { timeout: 15_000, interval: 20 });
      for (const f of frames.slice(3)) recorder.add(f);
      const { report } = await recorder.decide();
      expect(worker.stats).toEqual({ threaded: 3, inline: 0 });
      const residuals = [[0, 2], [1, 3], [2, 4]].map(([a, b]) => planarFit(frames[a!]!.face!.alignedPatch, frames[b!]!.face!.alignedPatch).residual).sort((x, y) => x - y);
      const p90 = residuals[1]! + (residuals[2]! - residuals[1]!) * 0.8;
      expect(report.checks.find((c) => c.check === 'parallax')?.score).toBe(Math.round(p90 * 1e4) / 1e4);
    } finally {
      await worker.close();
    }
  });

  it('fits nothing when the policy turns parallax off', async () => {
    const worker = new PlanarityWorker(logger);
    try {
      const recorder = new LivenessRecorder({ planarity: worker, antiSpoof: noAntiSpoof, antiSpoofModels: 'none' }, { policy: { ...LIVENESS_REPORT_ONLY, parallax: 'off' } });
      for (const f of [0, 500, 1000, 1500].map(frame)) recorder.add(f);
      const { report } = await recorder.decide();
      expect(worker.stats).toEqual({ threaded: 0, inline: 0 });
      expect(report.checks.find((c) => c.check === 'parallax')).toMatchObject({ verdict: 'SKIPPED' });
    } finally {
      await worker.close();
    }
  });
});
