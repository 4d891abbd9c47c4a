// Models are configuration: file, checksum, preprocessing, dimension and version id. A 512-d
// ArcFace-style embedder plugs in by environment variables alone; a wrong file is refused.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/face/decode/image-decoder.js';
import { cosineSimilarity } from '../../src/face/decision/similarity.js';
import { ModelIntegrityError } from '../../src/face/models/model-loader.js';
import { sha256OfFile } from '../../src/storage/file-digest.js';
import { FacePipeline } from '../../src/face/pipeline.js';
import { LIVENESS_REPORT_ENV, quietLogger, testConfig } from '../../dev/face-pipeline.js';
import { videoFromImage } from '../../dev/media.js';
import { fixture } from '../../dev/paths.js';
import { REFERENCE_PYTHON } from '../../dev/reference.js';
import { REPO_ROOT } from '../../src/runtime/app-root.js';

/** The test embedder run by onnxruntime for Python on an aligned face PNG, RGB, ArcFace normalisation. */
const REFERENCE_EMBEDDING = `
import json, sys
import cv2, numpy as np, onnxruntime as ort
face = cv2.cvtColor(cv2.imread(sys.argv[2]), cv2.COLOR_BGR2RGB).astype(np.float32)
tensor = ((face / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)[None].astype(np.float32)
session = ort.InferenceSession(sys.argv[1], providers=['CPUExecutionProvider'])
print(json.dumps(session.run(None, {session.get_inputs()[0].name: tensor})[0][0].tolist()))
`;

let dir: string;
let model512: string;
let sha512: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kyc-models-'));
  model512 = path.join(dir, 'arcface-style-512.onnx');
  execFileSync(REFERENCE_PYTHON, [path.join(REPO_ROOT, 'test', 'reference', 'make_test_embedder.py'), model512, '512', '112']);
  sha512 = await sha256OfFile(model512);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const arcfaceEnv = () => ({
  EXECUTION_PROVIDER: 'cpu',
  EMBEDDER_MODEL_FILE: model512,
  EMBEDDER_MODEL_SHA256: sha512,
  EMBEDDER_MODEL_ID: 'arcface-style-512-test',
  EMBEDDER_MEAN: '0.5,0.5,0.5',
  EMBEDDER_STD: '0.5,0.5,0.5',
  EMBEDDER_DIMENSION: '512',
});

describe('model registry', () => {
  it('runs a 512-d ArcFace-style embedder configured by environment alone', async () => {
    const config = testConfig({ ...arcfaceEnv(), ...LIVENESS_REPORT_ENV });
    const pipeline = await FacePipeline.load(config.face, quietLogger());
    const video = await videoFromImage(fixture('obama2.jpg'), path.join(dir, 'obama2.mp4'));
    const report = await pipeline.compare(fixture('obama.jpg'), video);
    expect(report.embedderModel).toBe('arcface-style-512-test');
    expect(report.framesWithFace).toBeGreaterThan(0);

    // The embedding is the model's own 512 values for the configured preprocessing: the same
    // aligned face through onnxruntime for Python, normalised (x/255 - 0.5)/0.5 by hand, gives the
    // same vector. A wrong mean, std, channel order or dimension breaks this.
    const analysis = await pipeline.analyze(await decodeImage(fixture('obama.jpg')));
    expect(analysis.embedding).toHaveLength(512);
    const aligned = analysis.aligned!;
    const facePng = path.join(dir, 'aligned.png');
    await sharp(aligned.data, { raw: { width: aligned.width, height: aligned.height, channels: 3 } }).png().toFile(facePng);
    const reference = JSON.parse(
      execFileSync(REFERENCE_PYTHON, ['-c', REFERENCE_EMBEDDING, model512, facePng], { encoding: 'utf8' }),
    ) as number[];
    expect(reference).toHaveLength(512);
    expect(cosineSimilarity(analysis.embedding!, Float32Array.from(reference))).toBeGreaterThan(0.9999);
    const norm = Math.hypot(...analysis.embedding!);
    expect(norm).toBeCloseTo(1, 5);
    // The version id is part of the comparison key, so results of different models never mix.
    expect(pipeline.fingerprint).toContain('arcface-style-512-test');
    const blank = await pipeline.analyze({ width: 200, height: 200, data: new Uint8Array(200 * 200 * 3) });
    expect(blank.faces).toEqual([]);
  });

  it('refuses a model file whose sha256 differs from the configured one', async () => {
    const config = testConfig({ ...arcfaceEnv(), EMBEDDER_MODEL_SHA256: '0'.repeat(64) });
    const error = await FacePipeline.load(config.face, quietLogger()).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect((error as Error).message).toContain(`has sha256 ${sha512}, expected ${'0'.repeat(64)}`);
  });

  it('says which model is missing and how to fetch it', async () => {
    const config = testConfig({ ...arcfaceEnv(), EMBEDDER_MODEL_FILE: path.join(dir, 'nope.onnx') });
    await expect(FacePipeline.load(config.face, quietLogger())).rejects.toThrow(/arcface-style-512-test.*not found.*models:fetch/);
  });

  it('catches an embedder whose output length does not match the configured dimension', async () => {
    const config = testConfig({ ...arcfaceEnv(), EMBEDDER_DIMENSION: '128' });
    await expect(FacePipeline.load(config.face, quietLogger())).rejects.toThrow(/returned 512 values a face, configured for 128/);
  });
});
