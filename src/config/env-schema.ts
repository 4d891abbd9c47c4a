import { z } from 'zod';
import { LIVENESS_MODES, type LivenessMode } from '../contract/liveness.js';
import { parseKeyList } from '../crypto/keyring.js';
import { parseDuration } from './duration.js';
import { MINIFASNET_V1SE, MINIFASNET_V2, MOBILEFACENET, YUNET_2023MAR } from './model-catalogue.js';

/** Every environment variable of every process, with its default: docs/operate.md's configuration table, as code (test/deploy/docs.test.ts keeps the two in step). */

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
const keyList = () =>
  z
    .string()
    .default('')
    .transform((value, ctx) => {
      try {
        return parseKeyList(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    });

const bool = (fallback: 'true' | 'false') => z.enum(['true', 'false']).default(fallback).transform((v) => v === 'true');
const bytes = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const list = (fallback = '') => z.string().default(fallback).transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));
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
const ED25519_KEY = /^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=$/;
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters');
const livenessMode = (fallback: LivenessMode) => z.enum(LIVENESS_MODES).default(fallback);

export const YUNET_2023MAR_SHA256 = YUNET_2023MAR.sha256;

export const envSchema = z.object({
  // `production` (the default) refuses to start without its secrets; `npm run dev` and the tests say `development`.
  KYC_ENV: z.enum(['production', 'development']).default('production'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  // Our metrics on this port (workers: the Temporal SDK's on the next); 0: off.
  METRICS_PORT: z.coerce.number().int().min(0).max(65534).default(0),
  METRICS_HOST: z.string().default('0.0.0.0'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  DATA_DIR: z.string().default('.data'),

  DATABASE_URL: z.string().url().optional(),
  EMBEDDED_POSTGRES_PORT: port(54329),

  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TLS: bool('false'),
  TEMPORAL_TLS_CA_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_CLI_PATH: z.string().optional(),
  ORCHESTRATION_TASK_QUEUE: z.string().min(1).default('kyc-orchestration'),
  GPU_TASK_QUEUE: z.string().min(1).default('face-similarity-gpu'),
  WEBHOOK_TASK_QUEUE: z.string().min(1).default('kyc-webhooks'),
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
  // Worker Versioning: both set, the orchestration worker is this deployment version and pins every run to it.
  WORKER_DEPLOYMENT_NAME: z.string().min(1).max(200).optional(),
  WORKER_BUILD_ID: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/).optional(),
  TEMPORAL_PAYLOAD_KEYS: keyList(),
  // Accept unencrypted payloads alongside the keys: only while runs started before encryption drain.
  TEMPORAL_PAYLOAD_ACCEPT_PLAINTEXT: bool('false'),
  UPLOAD_TIMEOUT: duration('1h'),

  // Ed25519, `<id>:<base64 32 bytes>`: the GPU workers' signing key, and the public keys that verify it (comma-separated while rotating).
  VERDICT_SIGNING_KEY: z.string().regex(ED25519_KEY, 'expected <id>:<base64 of 32 bytes>').optional(),
  VERDICT_PUBLIC_KEYS: z.string().regex(new RegExp(`^(${ED25519_KEY.source.slice(1, -1)})(,${ED25519_KEY.source.slice(1, -1)})*$`), 'expected <id>:<base64 of 32 bytes>,…').optional(),

  WEBHOOK_TIMEOUT: duration('10s'),
  WEBHOOK_ALLOW_HTTP: bool('false'),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: bool('false'),
  WEBHOOK_SECRET_KEYS: keyList(),

  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port(3000),
  // Addresses or CIDRs of the proxies in front of the API whose X-Forwarded-For is believed.
  TRUST_PROXY: list(),
  CODEC_HOST: z.string().default('127.0.0.1'),
  CODEC_PORT: port(0),
  TEMPORAL_UI_ORIGINS: list('http://127.0.0.1:8233,http://localhost:8233'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(300),
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().positive().default(20),
  CLIENT_TOKEN_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  CLIENT_TOKEN_TTL: duration('1h'),
  CLIENT_TOKEN_FINAL_GRACE: duration('15m'),
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
  MAX_IMAGE_BYTES: bytes(15 * 1024 * 1024),
  MAX_VIDEO_BYTES: bytes(200 * 1024 * 1024),
  MEDIA_PROBE_CONCURRENCY: z.coerce.number().int().positive().default(2),

  BLOB_STORE: z.enum(['local', 's3']).default('local'),
  BLOB_DIR: z.string().optional(),
  BLOB_FSYNC: bool('true'),
  S3_BUCKET: z.string().optional(),
  S3_PREFIX: z.string().default(''),
  S3_REGION: z.string().default('us-east-1'),
  S3_ENDPOINT: z.string().url().optional(),
  S3_FORCE_PATH_STYLE: bool('false'),
  S3_SSE: z.enum(['aws:kms', 'AES256']).default('AES256'),
  S3_KMS_KEY_ID: z.string().min(1).optional(),
  BLOB_SWEEP_INTERVAL: duration('1h'),
  BLOB_SWEEP_GRACE: duration('6h'),
  MEDIA_RETENTION: duration('24h'),
  FRAME_DETAILS_RETENTION: duration('30d'),
  DECISION_RETENTION: duration('1827d'),
  RETENTION_SWEEP_INTERVAL: duration('1h'),

  MODELS_DIR: z.string().default('models'),
  MODELS_MIRROR_DIR: z.string().default('../shared/models'),
  DETECTOR_MODEL_FILE: z.string().default(YUNET_2023MAR.file),
  DETECTOR_MODEL_SHA256: sha256.default(YUNET_2023MAR.sha256),
  DETECTOR_MODEL_ID: z.string().min(1).default(YUNET_2023MAR.id),
  DETECTOR_SCORE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.8),
  DETECTOR_NMS_THRESHOLD: z.coerce.number().min(0).max(1).default(0.3),
  EMBEDDER_MODEL_FILE: z.string().default(MOBILEFACENET.file),
  EMBEDDER_MODEL_SHA256: sha256.default(MOBILEFACENET.sha256),
  EMBEDDER_MODEL_ID: z.string().min(1).default(MOBILEFACENET.id),
  EMBEDDER_CHANNEL_ORDER: z.enum(['RGB', 'BGR']).default('RGB'),
  // Per channel, applied as (pixel/255 - mean) / std; ImageNet values per the model's README.
  EMBEDDER_MEAN: floats('0.485,0.456,0.406', 3),
  EMBEDDER_STD: floats('0.229,0.224,0.225', 3),
  EMBEDDER_DIMENSION: z.coerce.number().int().positive().default(128),
  EMBEDDER_INPUT_SIZE: z.coerce.number().int().min(32).default(112),
  ANTI_SPOOF_V2_MODEL_FILE: z.string().default(MINIFASNET_V2.file),
  ANTI_SPOOF_V2_MODEL_SHA256: sha256.default(MINIFASNET_V2.sha256),
  ANTI_SPOOF_V1SE_MODEL_FILE: z.string().default(MINIFASNET_V1SE.file),
  ANTI_SPOOF_V1SE_MODEL_SHA256: sha256.default(MINIFASNET_V1SE.sha256),

  // From npm run eval:verification (docs/evaluation.md): the middle of the gap between the highest impostor (0.399) and the lowest genuine (0.451) score.
  MATCH_THRESHOLD: z.coerce.number().min(-1).max(1).default(0.42),
  EXECUTION_PROVIDER: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
  ORT_INTRA_OP_THREADS: z.coerce.number().int().min(0).default(0),
  VIDEO_SAMPLE_FPS: z.coerce.number().positive().max(30).default(2),
  VIDEO_MAX_FRAMES: z.coerce.number().int().positive().max(300).default(24),
  // The detector's input size: larger frames would only be shrunk again before detection.
  VIDEO_MAX_EDGE: z.coerce.number().int().min(112).default(640),
  // A second decode, up to this edge, of a scaled-down video whose faces were all too small (0: never).
  VIDEO_CLOSER_LOOK_MAX_EDGE: z.coerce.number().int().min(0).max(4096).default(1920),
  VIDEO_MAX_DURATION: duration('60s'),
  // Decompression-bomb bounds, checked from headers before anything is decoded.
  VIDEO_MAX_PIXELS: z.coerce.number().int().positive().default(4096 * 4096),
  VIDEO_MAX_FRAME_RATE: z.coerce.number().positive().default(240),
  VIDEO_MAX_FRAME_COUNT: z.coerce.number().int().positive().default(60 * 240),
  IMAGE_MAX_PIXELS: z.coerce.number().int().positive().default(50_000_000),
  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  FFPROBE_PATH: z.string().min(1).default('ffprobe'),
  FFMPEG_TIMEOUT: duration('60s'),
  FFMPEG_THREADS: z.coerce.number().int().min(0).default(1),
  // How decoders are confined: `bwrap` (bubblewrap namespaces), `none`, or `auto` (bwrap where it runs; development only).
  DECODER_SANDBOX: z.enum(['auto', 'bwrap', 'none']).default('auto'),
  DOCUMENT_MIN_FACE_PX: z.coerce.number().min(0).default(64),
  FRAME_MIN_FACE_PX: z.coerce.number().min(0).default(48),
  // Set from npm run quality:calibrate (docs/evaluation.md#quality-gates): sharp variants of every fixture face pass, blur that halves similarity fails.
  DOCUMENT_MIN_SHARPNESS: z.coerce.number().min(0).default(30),
  FRAME_MIN_SHARPNESS: z.coerce.number().min(0).default(8),
  // npm run quality:calibrate: a dim room (×0.45, mean 37–84) still matches at 0.93+, so it passes; very dark (×0.2) mostly fails.
  MIN_BRIGHTNESS: z.coerce.number().min(0).max(255).default(30),
  MAX_BRIGHTNESS: z.coerce.number().min(0).max(255).default(230),
  BEST_FRAMES: z.coerce.number().int().positive().default(3),
  LIVENESS_MOTION: livenessMode('enforce'),
  LIVENESS_PARALLAX: livenessMode('enforce'),
  LIVENESS_ANTI_SPOOF: livenessMode('enforce'),
  LIVENESS_DOCUMENT_REPLAY: livenessMode('enforce'),
  LIVENESS_CHALLENGE: livenessMode('off'),

  GPU_WORKER_CONCURRENCY: z.coerce.number().int().positive().default(1),
  // Faces per embedder run across a worker's concurrent comparisons; 0: 16 on CUDA, 1 (off) on CPU.
  EMBED_BATCH_SIZE: z.coerce.number().int().min(0).max(256).default(0),
  EMBED_BATCH_WAIT_MS: z.coerce.number().min(0).max(1000).default(2),
  TENANT_GPU_CONCURRENCY: z.coerce.number().int().positive().default(4),
  COMPARISON_LEASE: duration('30s'),
});

export type Env = z.infer<typeof envSchema>;
