// Liveness on the real models, the real ffmpeg and the real genuine and attack clips, under the
// service's default policy: every genuine capture passes and matches its person, attacks fail.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LivenessPolicy } from '../../src/contract/face-similarity.js';
import { MediaRejectedError } from '../../src/media/errors.js';
import { decodeImage } from '../../src/face/decode/image-decoder.js';
import type { FacePipeline } from '../../src/face/pipeline.js';
import { quietLogger, sharedPipeline, testConfig } from '../../dev/face-pipeline.js';
import { AntiSpoofer } from '../../src/face/liveness/anti-spoof.js';
import { OnnxRunner } from '../../src/face/models/onnx-runner.js';
import { loadModel } from '../../src/face/models/model-loader.js';
import { batchDynamic } from '../../src/face/models/model-variants.js';
import { ATTACK_VIDEOS, GENUINE_VIDEOS, LIVENESS_DIR, attackVideo, genuineVideo, idFrameOf } from '../../dev/liveness-cases.js';
import { filteredVideo, videoDurationMs as durationOf } from '../../dev/media.js';
import { fixture } from '../../dev/paths.js';

let pipeline: FacePipeline;
let dir: string;
/** What a regulated fintech gets without configuring anything. */
const DEFAULTS: LivenessPolicy = testConfig().face.liveness.defaultPolicy;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kyc-liveness-'));
  pipeline = await sharedPipeline();
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function outcome(idImage: string, video: string) {
  try {
    return { report: await pipeline.compare(idImage, video, { liveness: { policy: DEFAULTS } }) };
  } catch (err) {
    if (err instanceof MediaRejectedError) return { rejected: err };
    throw err;
  }
}

describe('genuine captures', () => {
  // Two clips are too small for the quality gates (a 150x322 GIF, a 60-px face at 270p): they
  // get a retake reason from the gates, never a liveness rejection.
  const gatedOut = new Set(['silentface_demo_seg1_live.mp4', 'intel_head-pose-face-detection-female.mp4']);

  it.each(GENUINE_VIDEOS.filter((v) => !gatedOut.has(v)))('%s passes liveness and matches its own ID frame', async (name) => {
    const video = genuineVideo(name);
    const { report, rejected } = await outcome(await idFrameOf(video, await durationOf(video), dir), video);
    expect(rejected?.message, JSON.stringify(rejected?.liveness)).toBeUndefined();
    expect(report!.liveness).toMatchObject({ verdict: 'PASS', failedCheck: null });
    expect(report!.match).toBe(true);
  });

  it.each([...gatedOut])('%s is never rejected by liveness', async (name) => {
    const video = genuineVideo(name);
    const { rejected } = await outcome(await idFrameOf(video, await durationOf(video), dir), video);
    if (rejected) expect(rejected.reason).not.toMatch(/^LIVENESS_/);
  });

  it('the Hamilton stage clip passes liveness against the separate photo', async () => {
    const { report } = await outcome(fixture('lin-manuel-miranda.png'), fixture('short_hamilton_clip.mp4'));
    expect(report).toMatchObject({ match: true, liveness: { verdict: 'PASS' } });
  });

  it('a selfie filmed upside down (no rotation tag) still matches, turned upright', async () => {
    const source = genuineVideo('liveportrait_d3.mp4');
    const id = await idFrameOf(source, await durationOf(source), dir);
    const flipped = await filteredVideo(source, 'hflip,vflip', path.join(dir, 'upside-down.mp4'));
    const { report } = await outcome(id, flipped);
    expect(report).toMatchObject({ match: true, videoRotation: 180, liveness: { verdict: 'PASS' } });
  });

  it('a selfie filmed sideways (no rotation tag) still matches, turned upright', async () => {
    const source = genuineVideo('videoretalking_face4.mp4');
    const id = await idFrameOf(source, await durationOf(source), dir);
    // transpose=1 turns the picture 90° clockwise: three more clockwise quarter turns stand it up.
    const sideways = await filteredVideo(source, 'transpose=1', path.join(dir, 'sideways.mp4'));
    const { report } = await outcome(id, sideways);
    expect(report).toMatchObject({ match: true, videoRotation: 270, liveness: { verdict: 'PASS' } });
  });
});

const ANIMATION = 'sadtalker_example_crop_photo_animation.mp4';

describe('attack clips', () => {
  it.each(ATTACK_VIDEOS.filter((v) => v !== ANIMATION))('%s is rejected', async (name) => {
    const video = attackVideo(name);
    const { report, rejected } = await outcome(await idFrameOf(video, await durationOf(video), dir), video);
    expect(report, 'an attack must be rejected').toBeUndefined();
    if (name === 'silentface_demo_seg2_phone_replay.mp4') {
      // A screen is flat and has a screen's texture: both checks see it; the geometry names it.
      expect(rejected!.reason).toBe('LIVENESS_PLANAR_FACE');
      expect(rejected!.liveness!.checks.filter((c) => c.verdict === 'FAIL').map((c) => c.check)).toEqual(['parallax', 'antiSpoof']);
    }
  });

  it('KNOWN GAP: the generated talking-head animation still passes every check', async () => {
    // Live-looking motion, parallax and texture: no check here separates it yet (README,
    // "Liveness"). Pinned so that the day a check catches it, this test says so.
    const video = attackVideo(ANIMATION);
    const { report } = await outcome(await idFrameOf(video, await durationOf(video), dir), video);
    expect(report?.liveness?.verdict).toBe('PASS');
  });
});

describe('MiniFASNet reference check (shared/models/README.md)', () => {
  it.each([
    ['image_T1.jpg', 'real', 1.0],
    ['image_F1.jpg', 'spoof', 0.229],
    ['image_F2.jpg', 'spoof', 0.003],
  ] as const)('%s scores as %s, within 0.05 of OpenCV + onnxruntime for Python', async (name, label, reference) => {
    const image = await decodeImage(path.join(LIVENESS_DIR, name));
    const analysis = await pipeline.analyze(image);
    const real = await pipeline.realProbability(image, analysis.largest!.box);
    expect(Math.abs(real - reference)).toBeLessThan(0.05);
    expect(real >= 0.5 ? 'real' : 'spoof').toBe(label);
  });

  it('scores several faces in one run per model as the files as shipped score each alone', async () => {
    const faces = [];
    for (const name of ['image_T1.jpg', 'image_F1.jpg', 'image_F2.jpg']) {
      const image = await decodeImage(path.join(LIVENESS_DIR, name));
      faces.push({ image, box: (await pipeline.analyze(image)).largest!.box });
    }
    const models = testConfig({ EXECUTION_PROVIDER: 'cpu' }).face.liveness.antiSpoofModels;
    const load = (transform?: (bytes: Uint8Array) => Uint8Array) =>
      Promise.all(models.map(async (m) => ({ runner: new OnnxRunner(await loadModel(m, { provider: 'cpu', intraOpThreads: 1, logger: quietLogger(), ...(transform ? { transform } : {}) })), scale: m.scale })));
    const shipped = new AntiSpoofer(await load());
    const opened = new AntiSpoofer(await load(batchDynamic));
    const alone = [];
    for (const f of faces) alone.push(await shipped.realProbability(f.image, f.box));
    const together = await opened.realProbabilities(faces);
    for (const [i, real] of together.entries()) expect(Math.abs(real - alone[i]!), `face ${i}`).toBeLessThanOrEqual(1e-6);
  });
});
