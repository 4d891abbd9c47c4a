// The GPU worker's batched path and its CUDA choice, on the CPU provider: what runs on a GPU
// machine is exactly this code with `provider: 'cuda'`.
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../dev/face-pipeline.js';
import { fixture } from '../../dev/paths.js';
import { decodeImage } from '../../src/face/decode/image-decoder.js';
import { BatchingEmbedder } from '../../src/face/models/batching-embedder.js';
import { OnnxFaceEmbedder } from '../../src/face/models/embedder.js';
import { loadModel } from '../../src/face/models/model-loader.js';
import { batchDynamic } from '../../src/face/models/model-variants.js';
import { FacePipeline } from '../../src/face/pipeline.js';
import { OnnxRunner } from '../../src/face/models/onnx-runner.js';
import type { RgbImage } from '../../src/face/types.js';

const config = testConfig({ EXECUTION_PROVIDER: 'cpu' }).face;
const quiet = pino({ level: 'silent' });

/** Real aligned faces: the fixture photos through the real detector and aligner. */
async function alignedFaces(): Promise<RgbImage[]> {
  const pipeline = await FacePipeline.load(config, quiet);
  const faces: RgbImage[] = [];
  for (const name of ['obama.jpg', 'obama2.jpg', 'biden.jpg', 'biden2.jpg', 'lin-manuel-miranda.png', 'obama3.jpg']) {
    const analysis = await pipeline.analyze(await decodeImage(fixture(name)));
    if (analysis.aligned) faces.push(analysis.aligned);
  }
  return faces;
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('batched embedding', () => {
  it('gives the vectors the fixed-batch model gives, batching faces that arrive together', async () => {
    const faces = await alignedFaces();
    expect(faces.length).toBe(6);
    const options = { provider: 'cpu' as const, intraOpThreads: 1, logger: quiet };
    const single = new OnnxFaceEmbedder(new OnnxRunner(await loadModel(config.embedder, options)), config.embedder);
    const batched = new BatchingEmbedder(new OnnxRunner(await loadModel(config.embedder, { ...options, transform: batchDynamic })), config.embedder, { maxBatch: 4, maxWaitMs: 20 });
    const expected = await Promise.all(faces.map((f) => single.embed(f)));
    // Six faces at once, as from concurrent comparisons: one batch of 4, one of 2.
    const got = await Promise.all(faces.map((f) => batched.embed(f)));
    expect(batched.stats).toMatchObject({ runs: 2, faces: 6 });
    for (const [i, vector] of got.entries()) expect(maxDiff(vector, expected[i]!), `face ${i}`).toBeLessThanOrEqual(1e-6);
    // A lone face does not wait for company longer than maxWaitMs.
    const started = performance.now();
    await batched.embed(faces[0]!);
    expect(batched.stats).toMatchObject({ runs: 3, faces: 7 });
    expect(performance.now() - started).toBeLessThan(1000);
    // Faces known to come together go at once, remainder included: no wait for company.
    const patient = new BatchingEmbedder(new OnnxRunner(await loadModel(config.embedder, { ...options, transform: batchDynamic })), config.embedder, { maxBatch: 4, maxWaitMs: 60_000 });
    const together = await Promise.race([patient.embedAll(faces), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('embedAll waited for company')), 20_000))]);
    expect(patient.stats).toMatchObject({ runs: 2, faces: 6 });
    for (const [i, vector] of together.entries()) expect(maxDiff(vector, expected[i]!), `face ${i}`).toBeLessThanOrEqual(1e-6);
  });

  it('embeds one comparison\'s faces in one run, with the vectors of one run each', async () => {
    const faces = await alignedFaces();
    const options = { provider: 'cpu' as const, intraOpThreads: 1, logger: quiet };
    const single = new OnnxFaceEmbedder(new OnnxRunner(await loadModel(config.embedder, options)), config.embedder);
    const opened = new OnnxFaceEmbedder(new OnnxRunner(await loadModel(config.embedder, { ...options, transform: batchDynamic })), config.embedder);
    const expected = [];
    for (const f of faces) expected.push(await single.embed(f));
    // The fixed-batch file takes them one run each, the opened one in a single run.
    for (const embedder of [single, opened]) {
      const got = await embedder.embedAll(faces);
      expect(got).toHaveLength(faces.length);
      for (const [i, vector] of got.entries()) expect(maxDiff(vector, expected[i]!), `face ${i}`).toBeLessThanOrEqual(1e-6);
    }
  });

  it('batches across concurrent comparisons in one pipeline and decides as the unbatched one does', async () => {
    const unbatched = await FacePipeline.load(config, quiet);
    const batching = await FacePipeline.load({ ...config, embedBatch: { size: 8, waitMs: 50 } }, quiet);
    const video = fixture('short_hamilton_clip.mp4');
    const id = fixture('lin-manuel-miranda.png');
    const [a, b] = await Promise.all([batching.compare(id, video), batching.compare(id, video)]);
    const reference = await unbatched.compare(id, video);
    const stats = batching.batchStats!;
    expect(unbatched.batchStats).toBeUndefined();
    // Some runs carried faces of both comparisons: one comparison's own faces in one run would
    // not count (each run is tagged with the comparisons whose faces it carried).
    expect(stats.sharedRuns).toBeGreaterThan(0);
    for (const result of [a, b]) {
      expect(result.match).toBe(reference.match);
      expect(result.similarity).toBeCloseTo(reference.similarity, 4);
      expect(result.frames.map((f) => f.similarity)).toEqual(reference.frames.map((f) => f.similarity));
    }
  });
});

describe('CUDA execution provider', () => {
  it('falls back to CPU loudly where CUDA cannot load, and says which provider runs', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    const model = await loadModel(config.embedder, { provider: 'cuda', intraOpThreads: 1, logger, transform: batchDynamic });
    // This machine has no CUDA runtime; a GPU machine takes the other branch with the same call.
    expect(model.provider).toBe('cpu');
    expect(lines.some((l) => l.includes('CUDA requested but unavailable; inference runs on CPU') && l.includes('"requested":"cuda"'))).toBe(true);
  });
});
