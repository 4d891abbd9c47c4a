import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { LivenessPolicy } from '../contract/liveness.js';
import { faceConfig } from './face-config.js';
import { envSchema, type Env } from './env-schema.js';
import { missingFor, type ProcessRole } from './production.js';

export { YUNET_2023MAR_SHA256 } from './env-schema.js';
export type { ProcessRole } from './production.js';

/**
 * Every setting of every process, parsed once from the environment at boot; no I/O (files named
 * here are read by whoever uses them). Defaults run the local stack with no setup once
 * `KYC_ENV=development` says so; in production a missing secret stops the process, naming it.
 */

export type RawEnv = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** The local database `npm run dev` starts when DATABASE_URL is unset (development only). */
export const LOCAL_DATABASE_URL = 'postgresql://postgres:postgres@127.0.0.1:54329/kyc';

/**
 * onnxruntime's threads when not set: every core, at most 4 (these small models gain little past
 * that). Its pool threads spin only briefly (model-loader.ts), so they leave the cores to ffmpeg
 * whenever a model is not running.
 */
export function inferenceThreads(cores = availableParallelism()): number {
  return Math.max(1, Math.min(4, cores));
}

/**
 * `role` names the process whose secrets must be present outside development (config/production.ts);
 * without one (tools that only read paths) nothing is required.
 */
export function loadConfig(env: RawEnv = process.env, role?: ProcessRole) {
  // Empty variables count as unset, so `FOO= npm run dev` falls back to the default.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  const e = parsed.data;
  const issues = [
    ...(e.BLOB_STORE === 's3' && !e.S3_BUCKET ? ['S3_BUCKET: required when BLOB_STORE=s3'] : []),
    ...(e.TEMPORAL_TLS_CERT_FILE && !e.TEMPORAL_TLS_KEY_FILE ? ['TEMPORAL_TLS_KEY_FILE: required with TEMPORAL_TLS_CERT_FILE (mTLS)'] : []),
    ...(role ? missingFor(e, role) : []),
  ];
  if (issues.length > 0) throw new ConfigError(issues);
  return buildConfig(e, env);
}

function buildConfig(e: Env, env: RawEnv) {
  const dataDir = path.resolve(e.DATA_DIR);
  const development = e.KYC_ENV === 'development';
  // The API probes WebM uploads with the same binaries, bounds and sandbox the GPU worker decodes with.
  const decoder = {
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    timeoutMs: e.FFMPEG_TIMEOUT,
    searchPath: env.PATH ?? '/usr/bin:/bin',
    sandbox: e.DECODER_SANDBOX === 'auto' && !development ? ('bwrap' as const) : e.DECODER_SANDBOX,
  };
  return {
    environment: e.KYC_ENV,
    development,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    metrics: { port: e.METRICS_PORT, host: e.METRICS_HOST },
    tracing: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_ENDPOINT },
    dataDir,
    // Without DATABASE_URL (development only), `npm run dev` starts an embedded PostgreSQL.
    database: { url: e.DATABASE_URL ?? LOCAL_DATABASE_URL, embedded: e.DATABASE_URL === undefined, embeddedPort: e.EMBEDDED_POSTGRES_PORT },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      tls: {
        enabled: e.TEMPORAL_TLS || !!e.TEMPORAL_TLS_CA_FILE || !!e.TEMPORAL_TLS_CERT_FILE || !!e.TEMPORAL_API_KEY,
        caFile: e.TEMPORAL_TLS_CA_FILE,
        certFile: e.TEMPORAL_TLS_CERT_FILE,
        keyFile: e.TEMPORAL_TLS_KEY_FILE,
        serverName: e.TEMPORAL_TLS_SERVER_NAME,
      },
      apiKey: e.TEMPORAL_API_KEY,
      uiPort: e.TEMPORAL_UI_PORT,
      cliPath: e.TEMPORAL_CLI_PATH,
      orchestrationTaskQueue: e.ORCHESTRATION_TASK_QUEUE,
      gpuTaskQueue: e.GPU_TASK_QUEUE,
      webhookTaskQueue: e.WEBHOOK_TASK_QUEUE,
      workflowBundlePath: e.WORKFLOW_BUNDLE_PATH ? path.resolve(e.WORKFLOW_BUNDLE_PATH) : undefined,
      deployment: workerDeployment(e.WORKER_DEPLOYMENT_NAME, e.WORKER_BUILD_ID),
      payloadKeys: e.TEMPORAL_PAYLOAD_KEYS,
      acceptPlaintextPayloads: e.TEMPORAL_PAYLOAD_ACCEPT_PLAINTEXT,
      uploadTimeoutMs: e.UPLOAD_TIMEOUT,
    },
    verdicts: { signingKey: e.VERDICT_SIGNING_KEY, publicKeys: e.VERDICT_PUBLIC_KEYS ?? '' },
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      trustProxy: e.TRUST_PROXY,
      codec: { host: e.CODEC_HOST, port: e.CODEC_PORT, allowedOrigins: e.TEMPORAL_UI_ORIGINS },
      maxBytes: { ID_IMAGE: e.MAX_IMAGE_BYTES, SELFIE_VIDEO: e.MAX_VIDEO_BYTES },
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      timeouts: { headersMs: e.API_HEADERS_TIMEOUT, idleMs: e.API_IDLE_TIMEOUT, requestMs: e.API_REQUEST_TIMEOUT },
      minimumUploadRate: { bytesPerSecond: e.UPLOAD_MIN_RATE, graceMs: e.UPLOAD_RATE_GRACE },
      maxUploadsPerSession: e.MAX_UPLOADS_PER_SESSION,
      tenantStorageQuotaBytes: e.TENANT_STORAGE_QUOTA,
      orphanSweep: { everyMs: e.BLOB_SWEEP_INTERVAL, graceMs: e.BLOB_SWEEP_GRACE },
      media: {
        decoder,
        maxImagePixels: e.IMAGE_MAX_PIXELS,
        video: { maxDurationMs: e.VIDEO_MAX_DURATION, maxPixels: e.VIDEO_MAX_PIXELS, maxFrameRate: e.VIDEO_MAX_FRAME_RATE, maxFrameCount: e.VIDEO_MAX_FRAME_COUNT },
        probeConcurrency: e.MEDIA_PROBE_CONCURRENCY,
      },
      authFailuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
      clientTokens: { secret: e.CLIENT_TOKEN_SECRET, ttlMs: e.CLIENT_TOKEN_TTL, finalGraceMs: e.CLIENT_TOKEN_FINAL_GRACE },
      idempotency: { keyTtlMs: e.IDEMPOTENCY_KEY_TTL, claimTimeoutMs: e.IDEMPOTENCY_CLAIM_TIMEOUT, sweepEveryMs: e.IDEMPOTENCY_SWEEP_INTERVAL },
    },
    storage: {
      kind: e.BLOB_STORE,
      blobDir: path.resolve(e.BLOB_DIR ?? path.join(dataDir, 'blobs')),
      fsync: e.BLOB_FSYNC,
      spoolDir: path.join(dataDir, 'spool'),
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
    face: faceConfig(e, decoder, e.ORT_INTRA_OP_THREADS > 0 ? e.ORT_INTRA_OP_THREADS : inferenceThreads()),
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
export type DecoderConfig = FaceConfig['decoder'];
export type LivenessDefaults = LivenessPolicy;

/** The orchestration worker's deployment version: both variables or neither (one alone is a mistake worth stopping for). */
function workerDeployment(deploymentName: string | undefined, buildId: string | undefined): { deploymentName: string; buildId: string } | undefined {
  if (deploymentName && buildId) return { deploymentName, buildId };
  if (deploymentName || buildId) throw new Error('set WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID together (Worker Versioning), or neither');
  return undefined;
}
