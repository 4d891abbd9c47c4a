import { accessSync, constants } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { LIVENESS_MODES, type LivenessMode, type LivenessPolicy } from '../contract/face-similarity.js';
import { REPO_ROOT } from '../runtime/app-root.js';
import { parseSecretKeys } from '../webhooks/secret-box.js';
import { parseDuration } from './duration.js';

/**
 * Every setting of every process, parsed once from the environment at boot.
 * Defaults run the local stack with no setup; the README's table lists them all.
 */

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration such as 500ms, 30s, 5m or 1h` });
        return z.NEVER;
      }
      return ms;
    });

/** `<id>:<base64 of 32 bytes>,...`: AES-256 keys, the first sealing, all opening. */
const secretKeys = () =>
  z
    .string()
    .default('')
    .transform((value, ctx) => {
      try {
        return parseSecretKeys(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    });

const bytes = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const floats = (fallback: string, count: number) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const parts = value.split(',').map((part) => Number(part.trim()));
      if (parts.length !== count || parts.some((n) => !Number.isFinite(n))) {
        ctx.addIssue({ code: 'custom', message: `expected ${count} comma-separated numbers, got "${value}"` });
        return z.NEVER;
      }
      return parts;
    });
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters');

export const YUNET_2023MAR_SHA256 = '8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4';
export const MOBILEFACENET_SHA256 = 'b7120c095d60094f28a4a54ba6a8bf51b297a6273fb40ef6350dfec1f63d9507';
export const MINIFASNET_V2_SHA256 = '4433e871ef03f6c4c13de1757e63dcd69db14b6d7d9cff2319cb274c0f6dbecb';
export const MINIFASNET_V1SE_SHA256 = 'a8e67ffbaf39fa74c3b2ed673b530fcfb2f47379d0f26a52b71c2fc6473ec20f';

const livenessMode = (fallback: LivenessMode) => z.enum(LIVENESS_MODES).default(fallback);

const envSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  // Workers: our metrics on this port, the Temporal SDK's on the next; 0: off.
  METRICS_PORT: z.coerce.number().int().min(0).max(65534).default(0),
  // OpenTelemetry's own variables: an OTLP/HTTP endpoint turns tracing on (the exporter reads them itself).
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  DATA_DIR: z.string().default('.data'),

  DATABASE_URL: z.string().url().default('postgresql://postgres:postgres@127.0.0.1:54329/kyc'),
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),

  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  TEMPORAL_CLI_PATH: z.string().optional(),
  ORCHESTRATION_TASK_QUEUE: z.string().min(1).default('kyc-orchestration'),
  GPU_TASK_QUEUE: z.string().min(1).default('face-similarity-gpu'),
  WEBHOOK_TASK_QUEUE: z.string().min(1).default('kyc-webhooks'),
  WEBHOOK_TIMEOUT: duration('10s'),
  WEBHOOK_ALLOW_HTTP: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  WEBHOOK_SECRET_KEYS: secretKeys(),
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
  TEMPORAL_PAYLOAD_KEYS: secretKeys(),
  CODEC_SERVER_TOKEN: z.string().min(16).optional(),
  TEMPORAL_UI_ORIGINS: z.string().default('http://127.0.0.1:8233,http://localhost:8233'),
  UPLOAD_TIMEOUT: duration('1h'),

  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  BLOB_STORE: z.enum(['local', 's3']).default('local'),
  S3_BUCKET: z.string().optional(),
  S3_PREFIX: z.string().default(''),
  S3_REGION: z.string().default('us-east-1'),
  S3_ENDPOINT: z.string().url().optional(),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  S3_SSE: z.enum(['aws:kms', 'AES256']).default('AES256'),
  S3_KMS_KEY_ID: z.string().min(1).optional(),
  BLOB_DIR: z.string().optional(),
  BLOB_FSYNC: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(300),
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().positive().default(20),
  CLIENT_TOKEN_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  CLIENT_TOKEN_TTL: duration('1h'),
  IDEMPOTENCY_KEY_TTL: duration('24h'),
  IDEMPOTENCY_CLAIM_TIMEOUT: duration('30s'),
  IDEMPOTENCY_SWEEP_INTERVAL: duration('10m'),
  API_HEADERS_TIMEOUT: duration('10s'),
  API_IDLE_TIMEOUT: duration('30s'),
  API_REQUEST_TIMEOUT: duration('15m'),
  UPLOAD_MIN_RATE: z.coerce.number().int().min(0).default(8 * 1024),
  UPLOAD_RATE_GRACE: duration('10s'),
  MAX_UPLOADS_PER_SESSION: z.coerce.number().int().positive().default(10),
  TENANT_STORAGE_QUOTA: bytes(50 * 1024 ** 3),
  BLOB_SWEEP_INTERVAL: duration('1h'),
  MEDIA_RETENTION: duration('24h'),
  FRAME_DETAILS_RETENTION: duration('30d'),
  DECISION_RETENTION: duration('1827d'),
  RETENTION_SWEEP_INTERVAL: duration('1h'),
  BLOB_SWEEP_GRACE: duration('6h'),
  MAX_IMAGE_BYTES: bytes(15 * 1024 * 1024),
  MAX_VIDEO_BYTES: bytes(200 * 1024 * 1024),

  MODELS_DIR: z.string().default('models'),
  // Where `npm run dev` and `npm run models:fetch` look for the models before downloading them.
  MODELS_MIRROR_DIR: z.string().default('../shared/models'),
  DETECTOR_MODEL_FILE: z.string().default('face_detection_yunet_2023mar.onnx'),
  DETECTOR_MODEL_SHA256: sha256.default(YUNET_2023MAR_SHA256),
  DETECTOR_MODEL_ID: z.string().min(1).default('yunet-2023mar'),
  DETECTOR_SCORE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.8),
  DETECTOR_NMS_THRESHOLD: z.coerce.number().min(0).max(1).default(0.3),
  EMBEDDER_MODEL_FILE: z.string().default('MobileFaceNet.onnx'),
  EMBEDDER_MODEL_SHA256: sha256.default(MOBILEFACENET_SHA256),
  EMBEDDER_MODEL_ID: z.string().min(1).default('mobilefacenet-foamliu-128'),
  EMBEDDER_CHANNEL_ORDER: z.enum(['RGB', 'BGR']).default('RGB'),
  // Per channel, applied as (pixel/255 - mean) / std; ImageNet values per the model's README.
  EMBEDDER_MEAN: floats('0.485,0.456,0.406', 3),
  EMBEDDER_STD: floats('0.229,0.224,0.225', 3),
  EMBEDDER_DIMENSION: z.coerce.number().int().positive().default(128),
  EMBEDDER_INPUT_SIZE: z.coerce.number().int().min(32).default(112),

  MATCH_THRESHOLD: z.coerce.number().min(-1).max(1).default(0.4),
  EXECUTION_PROVIDER: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
  ORT_INTRA_OP_THREADS: z.coerce.number().int().min(0).default(0),
  VIDEO_SAMPLE_FPS: z.coerce.number().positive().max(30).default(2),
  VIDEO_MAX_FRAMES: z.coerce.number().int().positive().max(300).default(24),
  // The detector's input size: larger frames would only be shrunk again before detection.
  VIDEO_MAX_EDGE: z.coerce.number().int().min(112).default(640),
  VIDEO_MAX_DURATION: duration('60s'),
  // Decompression-bomb bounds, checked from headers before anything is decoded.
  VIDEO_MAX_PIXELS: z.coerce.number().int().positive().default(4096 * 4096),
  VIDEO_MAX_FRAME_RATE: z.coerce.number().positive().default(240),
  IMAGE_MAX_PIXELS: z.coerce.number().int().positive().default(50_000_000),
  VIDEO_MAX_FRAME_COUNT: z.coerce.number().int().positive().default(60 * 240),
  FFMPEG_PATH: z.string().min(1).optional(),
  FFPROBE_PATH: z.string().min(1).default('ffprobe'),
  FFMPEG_TIMEOUT: duration('60s'),
  FFMPEG_THREADS: z.coerce.number().int().min(0).default(1),
  DOCUMENT_MIN_FACE_PX: z.coerce.number().min(0).default(64),
  FRAME_MIN_FACE_PX: z.coerce.number().min(0).default(48),
  DOCUMENT_MIN_SHARPNESS: z.coerce.number().min(0).default(60),
  FRAME_MIN_SHARPNESS: z.coerce.number().min(0).default(40),
  MIN_BRIGHTNESS: z.coerce.number().min(0).max(255).default(40),
  MAX_BRIGHTNESS: z.coerce.number().min(0).max(255).default(230),
  BEST_FRAMES: z.coerce.number().int().positive().default(3),
  // Service-wide liveness modes; a tenant's own policy overrides them per check.
  LIVENESS_MOTION: livenessMode('enforce'),
  LIVENESS_PARALLAX: livenessMode('enforce'),
  LIVENESS_ANTI_SPOOF: livenessMode('enforce'),
  LIVENESS_DOCUMENT_REPLAY: livenessMode('enforce'),
  LIVENESS_CHALLENGE: livenessMode('off'),
  ANTI_SPOOF_V2_MODEL_FILE: z.string().default('2.7_80x80_MiniFASNetV2.onnx'),
  ANTI_SPOOF_V2_MODEL_SHA256: sha256.default(MINIFASNET_V2_SHA256),
  ANTI_SPOOF_V1SE_MODEL_FILE: z.string().default('4_0_0_80x80_MiniFASNetV1SE.onnx'),
  ANTI_SPOOF_V1SE_MODEL_SHA256: sha256.default(MINIFASNET_V1SE_SHA256),
  GPU_WORKER_CONCURRENCY: z.coerce.number().int().positive().default(1),
  // Faces per embedder run across a worker's concurrent comparisons; 0: 16 on CUDA, 1 (off) on CPU.
  EMBED_BATCH_SIZE: z.coerce.number().int().min(0).max(256).default(0),
  EMBED_BATCH_WAIT_MS: z.coerce.number().min(0).max(1000).default(2),
  // Comparisons one tenant may run at once across every GPU worker: the others' share.
  TENANT_GPU_CONCURRENCY: z.coerce.number().int().positive().default(4),
  COMPARISON_LEASE: duration('30s'),
});

export type RawEnv = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * onnxruntime's threads when not set: every core, at most 4 (these small models gain little past
 * that). Its pool threads spin only briefly (model-loader.ts), so they leave the cores to ffmpeg
 * whenever a model is not running; with unbounded spinning, sharing the cores with ffmpeg cost a
 * third of the throughput and one thread was the better choice.
 */
export function inferenceThreads(cores = availableParallelism()): number {
  return Math.max(1, Math.min(4, cores));
}

/**
 * The pinned static ffmpeg that scripts/ensure-ffmpeg.sh installs (`npm run dev`, `npm test` and
 * the benchmarks run it), else ffmpeg on PATH, as in the GPU worker's image, which puts the same
 * build there. It starts in about 1 ms where Debian's takes about 50 ms of CPU.
 */
export function bundledFfmpeg(root = REPO_ROOT): string {
  const bundled = path.join(root, '.tools', 'ffmpeg', 'ffmpeg');
  try {
    accessSync(bundled, constants.X_OK);
    return bundled;
  } catch {
    return 'ffmpeg';
  }
}

export function loadConfig(env: RawEnv = process.env) {
  // Empty variables count as unset, so `FOO= npm run dev` falls back to the default.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  if (e.BLOB_STORE === 's3' && !e.S3_BUCKET) throw new ConfigError(['S3_BUCKET: required when BLOB_STORE=s3']);
  const dataDir = path.resolve(e.DATA_DIR);
  const modelsDir = path.resolve(e.MODELS_DIR);
  // The API probes WebM uploads with the same binaries and bounds the GPU worker decodes with.
  const decoder = { ffmpegPath: e.FFMPEG_PATH ?? bundledFfmpeg(), ffprobePath: e.FFPROBE_PATH, timeoutMs: e.FFMPEG_TIMEOUT, searchPath: env.PATH ?? '/usr/bin:/bin' };
  return {
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    metricsPort: e.METRICS_PORT,
    tracing: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_ENDPOINT },
    dataDir,
    // Without DATABASE_URL, `npm run dev` starts an embedded PostgreSQL on the default URL's port.
    database: { url: e.DATABASE_URL, embedded: present.DATABASE_URL === undefined, embeddedPort: e.EMBEDDED_POSTGRES_PORT },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      uiPort: e.TEMPORAL_UI_PORT,
      cliPath: e.TEMPORAL_CLI_PATH,
      orchestrationTaskQueue: e.ORCHESTRATION_TASK_QUEUE,
      gpuTaskQueue: e.GPU_TASK_QUEUE,
      webhookTaskQueue: e.WEBHOOK_TASK_QUEUE,
      workflowBundlePath: e.WORKFLOW_BUNDLE_PATH ? path.resolve(e.WORKFLOW_BUNDLE_PATH) : undefined,
      payloadKeys: e.TEMPORAL_PAYLOAD_KEYS,
      codecServer: { token: e.CODEC_SERVER_TOKEN, allowedOrigins: e.TEMPORAL_UI_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean) },
      uploadTimeoutMs: e.UPLOAD_TIMEOUT,
    },
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      maxBytes: { ID_IMAGE: e.MAX_IMAGE_BYTES, SELFIE_VIDEO: e.MAX_VIDEO_BYTES },
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      timeouts: { headersMs: e.API_HEADERS_TIMEOUT, idleMs: e.API_IDLE_TIMEOUT, requestMs: e.API_REQUEST_TIMEOUT },
      minimumUploadRate: { bytesPerSecond: e.UPLOAD_MIN_RATE, graceMs: e.UPLOAD_RATE_GRACE },
      maxUploadsPerSession: e.MAX_UPLOADS_PER_SESSION,
      tenantStorageQuotaBytes: e.TENANT_STORAGE_QUOTA,
      orphanSweep: { everyMs: e.BLOB_SWEEP_INTERVAL, graceMs: e.BLOB_SWEEP_GRACE },
      media: { decoder, maxImagePixels: e.IMAGE_MAX_PIXELS, maxVideoDurationMs: e.VIDEO_MAX_DURATION },
      authFailuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
      clientTokens: { secret: e.CLIENT_TOKEN_SECRET, ttlMs: e.CLIENT_TOKEN_TTL },
      idempotency: { keyTtlMs: e.IDEMPOTENCY_KEY_TTL, claimTimeoutMs: e.IDEMPOTENCY_CLAIM_TIMEOUT, sweepEveryMs: e.IDEMPOTENCY_SWEEP_INTERVAL },
    },
    blobDir: path.resolve(e.BLOB_DIR ?? path.join(dataDir, 'blobs')),
    blobFsync: e.BLOB_FSYNC,
    storage: {
      kind: e.BLOB_STORE,
      s3: {
        bucket: e.S3_BUCKET ?? '',
        prefix: e.S3_PREFIX,
        region: e.S3_REGION,
        endpoint: e.S3_ENDPOINT,
        forcePathStyle: e.S3_FORCE_PATH_STYLE,
        encryption: e.S3_SSE === 'aws:kms' ? { mode: 'aws:kms' as const, kmsKeyId: e.S3_KMS_KEY_ID } : { mode: 'AES256' as const },
      },
    },
    modelsMirrorDir: path.resolve(e.MODELS_MIRROR_DIR),
    face: {
      detector: {
        id: e.DETECTOR_MODEL_ID,
        path: path.resolve(modelsDir, e.DETECTOR_MODEL_FILE),
        sha256: e.DETECTOR_MODEL_SHA256,
        scoreThreshold: e.DETECTOR_SCORE_THRESHOLD,
        nmsThreshold: e.DETECTOR_NMS_THRESHOLD,
      },
      embedder: {
        id: e.EMBEDDER_MODEL_ID,
        path: path.resolve(modelsDir, e.EMBEDDER_MODEL_FILE),
        sha256: e.EMBEDDER_MODEL_SHA256,
        channelOrder: e.EMBEDDER_CHANNEL_ORDER,
        mean: e.EMBEDDER_MEAN as [number, number, number],
        std: e.EMBEDDER_STD as [number, number, number],
        dimension: e.EMBEDDER_DIMENSION,
        inputSize: e.EMBEDDER_INPUT_SIZE,
      },
      matchThreshold: e.MATCH_THRESHOLD,
      executionProvider: e.EXECUTION_PROVIDER,
      embedBatch: { size: e.EMBED_BATCH_SIZE, waitMs: e.EMBED_BATCH_WAIT_MS },
      intraOpThreads: e.ORT_INTRA_OP_THREADS > 0 ? e.ORT_INTRA_OP_THREADS : inferenceThreads(),
      video: {
        sampleFps: e.VIDEO_SAMPLE_FPS,
        maxFrames: e.VIDEO_MAX_FRAMES,
        maxEdge: e.VIDEO_MAX_EDGE,
        maxDurationMs: e.VIDEO_MAX_DURATION,
        ffmpegThreads: e.FFMPEG_THREADS,
        maxPixels: e.VIDEO_MAX_PIXELS,
        maxFrameRate: e.VIDEO_MAX_FRAME_RATE,
        maxFrameCount: e.VIDEO_MAX_FRAME_COUNT,
      },
      decoder,
      imageMaxPixels: e.IMAGE_MAX_PIXELS,
      gates: {
        document: {
          minFacePx: e.DOCUMENT_MIN_FACE_PX,
          minSharpness: e.DOCUMENT_MIN_SHARPNESS,
          minBrightness: e.MIN_BRIGHTNESS,
          maxBrightness: e.MAX_BRIGHTNESS,
        },
        frame: {
          minFacePx: e.FRAME_MIN_FACE_PX,
          minSharpness: e.FRAME_MIN_SHARPNESS,
          minBrightness: e.MIN_BRIGHTNESS,
          maxBrightness: e.MAX_BRIGHTNESS,
        },
      },
      bestFrames: e.BEST_FRAMES,
      liveness: {
        defaultPolicy: {
          motion: e.LIVENESS_MOTION,
          parallax: e.LIVENESS_PARALLAX,
          antiSpoof: e.LIVENESS_ANTI_SPOOF,
          documentReplay: e.LIVENESS_DOCUMENT_REPLAY,
          challenge: e.LIVENESS_CHALLENGE,
        } satisfies LivenessPolicy,
        antiSpoofModels: [
          { id: 'minifasnet-v2-2.7', path: path.resolve(modelsDir, e.ANTI_SPOOF_V2_MODEL_FILE), sha256: e.ANTI_SPOOF_V2_MODEL_SHA256, scale: 2.7 },
          { id: 'minifasnet-v1se-4.0', path: path.resolve(modelsDir, e.ANTI_SPOOF_V1SE_MODEL_FILE), sha256: e.ANTI_SPOOF_V1SE_MODEL_SHA256, scale: 4.0 },
        ],
      },
    },
    gpuWorker: { concurrency: e.GPU_WORKER_CONCURRENCY, leaseMs: e.COMPARISON_LEASE, tenantConcurrency: e.TENANT_GPU_CONCURRENCY },
    retention: {
      defaults: { mediaMs: e.MEDIA_RETENTION, frameDetailsMs: e.FRAME_DETAILS_RETENTION, decisionMs: e.DECISION_RETENTION },
      sweepEveryMs: e.RETENTION_SWEEP_INTERVAL,
    },
    webhooks: {
      timeoutMs: e.WEBHOOK_TIMEOUT,
      policy: { allowHttp: e.WEBHOOK_ALLOW_HTTP, allowPrivateNetworks: e.WEBHOOK_ALLOW_PRIVATE_NETWORKS },
      secretKeys: e.WEBHOOK_SECRET_KEYS,
    },
  };
}

export type AppConfig = ReturnType<typeof loadConfig>;
export type FaceConfig = AppConfig['face'];
