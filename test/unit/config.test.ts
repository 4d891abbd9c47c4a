import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, inferenceThreads, loadConfig, YUNET_2023MAR_SHA256 } from '../../src/config/config.js';
import { bundledFfmpeg, withToolDefaults } from '../../src/runtime/tools.js';
import { parseDuration } from '../../src/config/duration.js';

describe('loadConfig', () => {
  it('runs locally with no environment at all', () => {
    const config = loadConfig({});
    expect(config.temporal).toMatchObject({
      address: '127.0.0.1:7233',
      orchestrationTaskQueue: 'kyc-orchestration',
      gpuTaskQueue: 'face-similarity-gpu',
      uploadTimeoutMs: 3_600_000,
    });
    expect(config.face.detector.sha256).toBe(YUNET_2023MAR_SHA256);
    expect(config.face.detector.path).toBe(path.resolve('models', 'face_detection_yunet_2023mar.onnx'));
    expect(config.face.matchThreshold).toBe(0.42);
    expect(config.face.executionProvider).toBe('auto');
    expect(config.api.maxBytes).toEqual({ ID_IMAGE: 15 * 1024 * 1024, SELFIE_VIDEO: 200 * 1024 * 1024 });
  });

  it('gives onnxruntime every core up to 4 unless ORT_INTRA_OP_THREADS says otherwise', () => {
    expect([1, 2, 4, 8, 16].map((cores) => inferenceThreads(cores))).toEqual([1, 2, 4, 4, 4]);
    expect(loadConfig({ ORT_INTRA_OP_THREADS: '2' }).face.intraOpThreads).toBe(2);
    expect(loadConfig({}).face.intraOpThreads).toBe(inferenceThreads());
  });

  it('runs the static ffmpeg that scripts/ensure-ffmpeg.sh installed, else ffmpeg on PATH, unless FFMPEG_PATH says otherwise', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'kyc-ffmpeg-'));
    try {
      expect(bundledFfmpeg(root)).toBe('ffmpeg');
      const binary = path.join(root, '.tools', 'ffmpeg', 'ffmpeg');
      await mkdir(path.dirname(binary), { recursive: true });
      await writeFile(binary, '#!/bin/sh\n');
      expect(bundledFfmpeg(root)).toBe('ffmpeg'); // not executable: not a decoder
      await chmod(binary, 0o755);
      expect(bundledFfmpeg(root)).toBe(binary);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
    expect(loadConfig(withToolDefaults({})).face.decoder.ffmpegPath).toBe(bundledFfmpeg());
    expect(loadConfig(withToolDefaults({ FFMPEG_PATH: '/opt/ffmpeg/bin/ffmpeg' })).face.decoder.ffmpegPath).toBe('/opt/ffmpeg/bin/ffmpeg');
    // Configuration itself reads no file: without the process's tool defaults, PATH's ffmpeg.
    expect(loadConfig({}).face.decoder.ffmpegPath).toBe('ffmpeg');
  });

  it('parses typed values and treats empty variables as unset', () => {
    const config = loadConfig({
      UPLOAD_TIMEOUT: '90s',
      MATCH_THRESHOLD: '0.55',
      EMBEDDER_MEAN: '0.5, 0.5, 0.5',
      EXECUTION_PROVIDER: 'cuda',
      GPU_TASK_QUEUE: '',
    });
    expect(config.temporal.uploadTimeoutMs).toBe(90_000);
    expect(config.face.matchThreshold).toBe(0.55);
    expect(config.face.embedder.mean).toEqual([0.5, 0.5, 0.5]);
    expect(config.face.executionProvider).toBe('cuda');
    expect(config.temporal.gpuTaskQueue).toBe('face-similarity-gpu');
  });

  it('makes the orchestration worker a Worker Deployment version only with both variables', () => {
    expect(loadConfig({}).temporal.deployment).toBeUndefined();
    expect(loadConfig({ WORKER_DEPLOYMENT_NAME: 'kyc-orchestration', WORKER_BUILD_ID: '2026.12.03-1' }).temporal.deployment).toEqual({ deploymentName: 'kyc-orchestration', buildId: '2026.12.03-1' });
    expect(() => loadConfig({ WORKER_BUILD_ID: 'b1' })).toThrow(/WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID together/);
    expect(() => loadConfig({ WORKER_DEPLOYMENT_NAME: 'kyc', WORKER_BUILD_ID: 'has space' })).toThrow(/WORKER_BUILD_ID/);
  });

  it('fails fast, naming every bad variable', () => {
    try {
      loadConfig({ UPLOAD_TIMEOUT: 'soon', EXECUTION_PROVIDER: 'tpu', DETECTOR_MODEL_SHA256: 'abc', EMBEDDER_STD: '1,2' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      for (const name of ['UPLOAD_TIMEOUT', 'EXECUTION_PROVIDER', 'DETECTOR_MODEL_SHA256', 'EMBEDDER_STD']) {
        expect(message).toContain(name);
      }
    }
  });
});

describe('production fails closed', () => {
  const keys = 'k:' + Buffer.alloc(32, 1).toString('base64');
  const verdictPublic = 'v:' + Buffer.alloc(32, 2).toString('base64');
  const verdictSigning = 'v:' + Buffer.alloc(32, 3).toString('base64');
  const complete = {
    api: { DATABASE_URL: 'postgresql://u:p@db/kyc', CLIENT_TOKEN_SECRET: 'x'.repeat(32), TEMPORAL_PAYLOAD_KEYS: keys, VERDICT_PUBLIC_KEYS: verdictPublic },
    'orchestration-worker': { DATABASE_URL: 'postgresql://u:p@db/kyc', TEMPORAL_PAYLOAD_KEYS: keys, WEBHOOK_SECRET_KEYS: keys, VERDICT_PUBLIC_KEYS: verdictPublic },
    'gpu-worker': { DATABASE_URL: 'postgresql://u:p@db/kyc', TEMPORAL_PAYLOAD_KEYS: keys, VERDICT_SIGNING_KEY: verdictSigning },
    keys: { DATABASE_URL: 'postgresql://u:p@db/kyc', WEBHOOK_SECRET_KEYS: keys },
  } as const;

  it.each(Object.entries(complete))('%s starts with every secret, and refuses without each one, naming it', (role, env) => {
    expect(() => loadConfig(env, role as keyof typeof complete)).not.toThrow();
    for (const name of Object.keys(env)) {
      const { [name]: _gone, ...without } = env as Record<string, string>;
      expect(() => loadConfig(without, role as keyof typeof complete), `${role} without ${name}`).toThrow(new RegExp(`${name}: required`));
    }
  });

  it('is the default: only KYC_ENV=development runs on local defaults', () => {
    expect(() => loadConfig({}, 'api')).toThrow(/CLIENT_TOKEN_SECRET: required when KYC_ENV=production/);
    expect(() => loadConfig({ KYC_ENV: 'development', VERDICT_PUBLIC_KEYS: verdictPublic }, 'api')).not.toThrow();
  });
});

describe('parseDuration', () => {
  it.each([
    ['1500', 1500],
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['30d', 30 * 86_400_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '-5s', '0', '1w', '5 m'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
});
