// Models are configuration: file, checksum, preprocessing, dimension and version id. A 512-d
// ArcFace-style embedder plugs in by environment variables alone; a wrong file is refused.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256OfFile, ModelIntegrityError } from '../../src/face/model-loader.js';
import { FacePipeline } from '../../src/face/pipeline.js';
import { LIVENESS_REPORT_ENV, quietLogger, testConfig } from '../helpers/face-pipeline.js';
import { videoFromImage } from '../helpers/media.js';
import { fixture } from '../helpers/paths.js';
import { REFERENCE_PYTHON } from '../helpers/reference.js';
import { REPO_ROOT } from '../../src/devstack/paths.js';

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
    expect(report.similarity).toBeGreaterThan(-1);
    expect(report.similarity).toBeLessThanOrEqual(1);
    // The version id is part of the idempotency key, so results of different models never mix.
    expect(pipeline.fingerprint).toContain('arcface-style-512-test');
    const analysis = await pipeline.analyze({ width: 200, height: 200, data: new Uint8Array(200 * 200 * 3) });
    expect(analysis.faces).toEqual([]);
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
    await expect(FacePipeline.load(config.face, quietLogger())).rejects.toThrow(/returned 512 values, configured for 128/);
  });
});
