// Our pipeline against OpenCV's reference (FaceDetectorYN + FaceRecognizerSF.alignCrop + the same
// embedder in onnxruntime for Python) on every fixture image, every frame we sample from the
// fixture video, and every pair of them.
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregate } from '../../src/face/decision/verdict.js';
import type { FacePipeline } from '../../src/face/pipeline.js';
import { decodeImage } from '../../src/face/decode/image-decoder.js';
import { faceQuality } from '../../src/face/quality/face-quality.js';
import { cosineSimilarity } from '../../src/face/decision/similarity.js';
import type { DetectedFace } from '../../src/face/types.js';
import { iou } from '../../src/face/models/yunet.js';
import { sharedPipeline, testConfig } from '../../dev/face-pipeline.js';
import { framesAsPng } from '../helpers/frames.js';
import { FIXTURES_DIR } from '../../dev/paths.js';
import { runReference, type ReferenceImage } from '../../dev/reference.js';

const config = testConfig({ EXECUTION_PROVIDER: 'cpu' });
const IMAGES = readdirSync(FIXTURES_DIR).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();
const VIDEO = 'short_hamilton_clip.mp4';

interface Side {
  faces: DetectedFace[];
  embedding?: Float32Array;
}
interface Analysed {
  name: string;
  scale: number;
  ours: Side;
  reference: Side;
}

let pipeline: FacePipeline;
let framesDir: string;
const images = new Map<string, Analysed>();
const videoFrames: (Analysed & { timestampMs: number })[] = [];
const worst = { iou: 1, landmarkPx: 0, cosine: 0 };

function fromReference(r: ReferenceImage): Side {
  return {
    faces: r.faces.map((f) => ({
      box: { x: f.box[0], y: f.box[1], width: f.box[2], height: f.box[3] },
      landmarks: f.landmarks,
      score: f.score,
    })),
    embedding: r.embedding ? Float32Array.from(r.embedding) : undefined,
  };
}

async function analyseAll(paths: { name: string; file: string }[]): Promise<Analysed[]> {
  const reference = await runReference(config.face, paths.map((p) => p.file));
  const out: Analysed[] = [];
  for (const [i, p] of paths.entries()) {
    const analysis = await pipeline.analyze(await decodeImage(p.file));
    const ref = reference.images[i]!;
    out.push({ name: p.name, scale: ref.scale, ours: analysis, reference: fromReference(ref) });
  }
  return out;
}

beforeAll(async () => {
  pipeline = await sharedPipeline();
  for (const a of await analyseAll(IMAGES.map((name) => ({ name, file: path.join(FIXTURES_DIR, name) })))) images.set(a.name, a);
  framesDir = await mkdtemp(path.join(tmpdir(), 'kyc-parity-'));
  const frames = await framesAsPng(path.join(FIXTURES_DIR, VIDEO), config.face.video, framesDir);
  const analysed = await analyseAll(frames.map((f) => ({ name: `${VIDEO}@${f.timestampMs}ms`, file: f.path })));
  analysed.forEach((a, i) => videoFrames.push({ ...a, timestampMs: frames[i]!.timestampMs }));
});

afterAll(async () => {
  if (framesDir) await rm(framesDir, { recursive: true, force: true });
  console.log(
    `parity: ${images.size} images, ${videoFrames.length} video frames; worst box IoU ${worst.iou.toFixed(4)}, ` +
      `worst landmark offset ${worst.landmarkPx.toFixed(3)} px at detector scale, largest cosine difference ${worst.cosine.toFixed(4)}`,
  );
});

function expectSameDetections(a: Analysed) {
  expect(a.ours.faces.length, `${a.name}: face count`).toBe(a.reference.faces.length);
  for (const face of a.ours.faces) {
    const match = a.reference.faces.reduce((best, r) => (iou(face.box, r.box) > iou(face.box, best.box) ? r : best));
    const overlap = iou(face.box, match.box);
    const offset = Math.max(...face.landmarks.map(([x, y], k) => Math.hypot(x - match.landmarks[k]![0], y - match.landmarks[k]![1]) * a.scale));
    worst.iou = Math.min(worst.iou, overlap);
    worst.landmarkPx = Math.max(worst.landmarkPx, offset);
    expect(overlap, `${a.name}: box IoU`).toBeGreaterThanOrEqual(0.9);
    expect(offset, `${a.name}: landmark offset (px at the detector's input scale)`).toBeLessThanOrEqual(2);
  }
}

function expectSameCosine(label: string, ours: number, reference: number) {
  worst.cosine = Math.max(worst.cosine, Math.abs(ours - reference));
  expect(Math.abs(ours - reference), `${label}: ours ${ours.toFixed(4)} vs OpenCV ${reference.toFixed(4)}`).toBeLessThanOrEqual(0.02);
  expect(ours >= config.face.matchThreshold, `${label}: decision`).toBe(reference >= config.face.matchThreshold);
}

describe('parity with OpenCV on the fixture images', () => {
  it.each(IMAGES)('%s: same faces, boxes and landmarks', (name) => {
    const a = images.get(name)!;
    expect(a.ours.faces.length).toBeGreaterThan(0);
    expectSameDetections(a);
  });

  const pairs = IMAGES.flatMap((a, i) => IMAGES.slice(i + 1).map((b) => [a, b] as const));
  it.each(pairs)('%s vs %s: same similarity and decision', (a, b) => {
    const x = images.get(a)!;
    const y = images.get(b)!;
    expectSameCosine(`${a} vs ${b}`, cosineSimilarity(x.ours.embedding!, y.ours.embedding!), cosineSimilarity(x.reference.embedding!, y.reference.embedding!));
  });
});

describe('parity with OpenCV on the fixture video frames', () => {
  it('samples the whole clip', () => {
    expect(videoFrames.length).toBe(20);
  });

  it('finds the same faces in every frame', () => {
    for (const frame of videoFrames) expectSameDetections(frame);
  });

  it.each(IMAGES)('%s vs the video: same per-frame and aggregate similarity, same decision', (name) => {
    const id = images.get(name)!;
    const side = (pick: (a: Analysed) => Side, idEmbedding: Float32Array): { timestampMs: number; quality: number; similarity: number }[] =>
      videoFrames.flatMap((f) => {
        const s = pick(f);
        const face = s.faces.reduce<DetectedFace | undefined>((m, x) => (!m || x.box.width * x.box.height > m.box.width * m.box.height ? x : m), undefined);
        return face && s.embedding ? [{ timestampMs: f.timestampMs, quality: faceQuality(face), similarity: cosineSimilarity(idEmbedding, s.embedding) }] : [];
      });
    const ours = side((a) => a.ours, id.ours.embedding!);
    const reference = side((a) => a.reference, id.reference.embedding!);
    expect(ours.map((f) => f.timestampMs)).toEqual(reference.map((f) => f.timestampMs));
    ours.forEach((f, i) => expectSameCosine(`${name} vs frame ${f.timestampMs} ms`, f.similarity, reference[i]!.similarity));
    expectSameCosine(`${name} vs video (aggregate)`, aggregate(ours, config.face.bestFrames), aggregate(reference, config.face.bestFrames));
  });
});
