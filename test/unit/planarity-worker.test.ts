import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PlanarityPairs } from '../../src/face/liveness/checks.js';
import { PATCH_SIDE, planarFit } from '../../src/face/liveness/dense-planarity.js';
import type { FrameEvidence } from '../../src/face/liveness/evidence.js';
import { PlanarityFits, PlanarityWorker } from '../../src/face/liveness/planarity-worker.js';

const patch = (shift: number) =>
  Float32Array.from({ length: PATCH_SIDE * PATCH_SIDE }, (_, i) => {
    const x = (i % PATCH_SIDE) + shift, y = Math.floor(i / PATCH_SIDE);
    return 128 + 40 * Math.sin(x * 0.35 + 1) * Math.cos(y * 0.27) + 30 * Math.sin((x + y) * 0.18 + shift);
  });
const frame = (timestampMs: number): FrameEvidence => ({
  timestampMs,
  face: { landmarks: [], alignedThumb: new Float32Array(0), alignedPatch: patch(timestampMs / 400), similarity: null },
});

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
  const logger = pino({ level: 'silent' });

  it('gives the same fit as planarFit on this thread, bit for bit', async () => {
    const worker = new PlanarityWorker(logger);
    try {
      const pairs = [[patch(0), patch(1.5)], [patch(2), patch(0.5)], [patch(1), patch(1)]] as const;
      const fits = await Promise.all(pairs.map(([a, b]) => worker.fit(a, b)));
      expect(fits).toEqual(pairs.map(([a, b]) => planarFit(a, b)));
      expect(worker.threaded).toBe(true);
    } finally {
      await worker.close();
    }
  });

  it('fits on this thread once its own is gone', async () => {
    const worker = new PlanarityWorker(logger);
    await worker.close();
    expect(worker.threaded).toBe(false);
    expect(await worker.fit(patch(0), patch(1))).toEqual(planarFit(patch(0), patch(1)));
  });

  it('settles fits in flight when its thread dies under them, with the same numbers', async () => {
    const worker = new PlanarityWorker(logger);
    const inFlight = [worker.fit(patch(0), patch(1)), worker.fit(patch(2), patch(3))];
    // The thread killed mid-task, as an out-of-memory kill or a native crash would end it.
    await (worker as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    expect(await Promise.all(inFlight)).toEqual([planarFit(patch(0), patch(1)), planarFit(patch(2), patch(3))]);
    expect(worker.threaded).toBe(false);
  });

  it('answers parallaxCheck with the residuals of the pairs it fitted while frames arrived', async () => {
    const worker = new PlanarityWorker(logger);
    try {
      const fits = new PlanarityFits(worker, 1000);
      const frames = [0, 500, 1000, 1500].map(frame);
      for (const f of frames) fits.add(f);
      const residualOf = await fits.residuals();
      const [a, b] = [frames[0]!.face!.alignedPatch, frames[2]!.face!.alignedPatch];
      expect(residualOf(a, b)).toBe(planarFit(a, b).residual);
    } finally {
      await worker.close();
    }
  });
});
