import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { createGpuActivities, type GpuActivityDeps } from '../activities/gpu-activities.js';
import { createOrchestrationActivities } from '../activities/orchestration-activities.js';
import { createRetentionActivities } from '../activities/retention-activities.js';
import { createWebhookActivities } from '../activities/webhook-activities.js';
import type { AppDeps } from '../api/app.js';
import { SessionTokens } from '../auth/session-token.js';
import type { AppConfig } from '../config/config.js';
import { Keyring } from '../crypto/keyring.js';
import { SecretBox } from '../crypto/secret-box.js';
import { VerdictSigner, VerdictVerifier } from '../crypto/verdict-signature.js';
import { ComparisonStore } from '../db/comparison-store.js';
import type { Db } from '../db/prisma.js';
import { ReviewStore } from '../db/review-store.js';
import { SessionStore } from '../db/session-store.js';
import { TenantStore } from '../db/tenant-store.js';
import type { FaceComparer } from '../face/pipeline.js';
import { ProbeSlots } from '../media/ffprobe.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import { Authenticator } from '../sessions/authenticator.js';
import { Decisions } from '../sessions/decisions.js';
import { OutcomeRecorder } from '../sessions/outcome-recorder.js';
import { ReviewsService } from '../sessions/reviews-service.js';
import { SessionsService } from '../sessions/sessions-service.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { SessionWorkflows } from '../temporal/client.js';
import { WebhookNotifier } from '../webhooks/notifier.js';

/**
 * The composition roots: what each process builds from its configuration and its adapters. The
 * worker entry points (workers/) and the in-process test stack (dev/stack) both call these, so a
 * test runs the objects production runs, wired the same way.
 */
export interface Adapters {
  config: AppConfig;
  db: Db;
  blobs: BlobStore;
  logger: Logger;
  metrics: ServiceMetrics;
}

export const payloadKeyring = (config: AppConfig) => new Keyring(config.temporal.payloadKeys);
export const webhookSecrets = (config: AppConfig) => new SecretBox(new Keyring(config.webhooks.secretKeys));

function decisionsOf({ config, db, logger }: Adapters): Decisions {
  return new Decisions(new ComparisonStore(db), VerdictVerifier.parse(config.verdicts.publicKeys), logger);
}

/** The public API: the sessions service behind thin routes, and who may call it. */
export function composeApi(a: Adapters & { workflows: SessionWorkflows }): AppDeps {
  const { config, db, blobs, logger, metrics, workflows } = a;
  const tenants = new TenantStore(db);
  const sessions = new SessionStore(db);
  const tokens = sessionTokens(config, logger);
  const api = config.api;
  const decisions = decisionsOf(a);
  const sessionsService = new SessionsService({
      db,
      workflows,
      blobs,
      tenants,
      tokens,
      decisions,
      livenessDefaults: config.face.liveness.defaultPolicy,
      idempotencyKeyTtlMs: api.idempotency.keyTtlMs,
      limits: {
        maxBytes: api.maxBytes,
        media: { ...api.media, probeSlots: new ProbeSlots(api.media.probeConcurrency) },
        minimumUploadRate: api.minimumUploadRate,
        maxUploadsPerSession: api.maxUploadsPerSession,
        tenantStorageQuotaBytes: api.tenantStorageQuotaBytes,
      },
      metrics,
      logger,
  });
  return {
    logger,
    db,
    metrics,
    sessions: sessionsService,
    reviews: new ReviewsService({ db, blobs, workflows, sessions: sessionsService, decisions, logger }),
    authenticator: new Authenticator({
      tokens,
      apiKey: (key) => tenants.authenticate(key),
      livePrefixes: () => tenants.livePrefixes(),
      tokenSubject: (id) => sessions.tokenSubject(id),
      finalGraceMs: api.clientTokens.finalGraceMs,
    }),
    idempotency: { times: api.idempotency, sweepEveryMs: api.idempotency.sweepEveryMs },
    timeouts: api.timeouts,
    maxBytes: api.maxBytes,
    rateLimitPerMinute: api.rateLimitPerMinute,
    authFailuresPerMinute: api.authFailuresPerMinute,
    trustProxy: api.trustProxy,
    readiness: async () => {
      const [database, temporal] = await Promise.all([db.$queryRaw`SELECT 1`.then(() => true, () => false), workflows.ping().then(() => true, () => false)]);
      return { database, temporal };
    },
  };
}

/** Without CLIENT_TOKEN_SECRET (development only) a random one is made: fine for one process, wrong for several replicas. */
function sessionTokens(config: AppConfig, logger: Logger): SessionTokens {
  const { secret, ttlMs } = config.api.clientTokens;
  if (!secret) logger.warn('CLIENT_TOKEN_SECRET is not set: session tokens are signed with a random secret and do not survive a restart or work across API replicas');
  return new SessionTokens(secret ?? randomBytes(32).toString('base64url'), ttlMs);
}

/** The orchestration worker's activities: bookkeeping (with the verifying recorder) and retention. */
export function composeOrchestration(a: Adapters & { workflows: Pick<SessionWorkflows, 'isOpen'> }) {
  const { config, db, blobs, logger, metrics, workflows } = a;
  return {
    ...createOrchestrationActivities({ sessions: new SessionStore(db), recorder: new OutcomeRecorder({ db, decisions: decisionsOf(a), tenants: new TenantStore(db), metrics, logger }) }),
    ...createRetentionActivities({
      db,
      blobs,
      defaults: config.retention.defaults,
      runIsOpen: (id) => workflows.isOpen(id),
      // The upload wait, the GPU queue's longest wait for a turn, and a margin.
      openLongerThanMs: config.temporal.uploadTimeoutMs + 2 * 3_600_000,
    }),
  };
}

/** The webhook deliveries, on their own task queue (served by the orchestration worker process). */
export function composeWebhooks(a: Adapters) {
  const { config, db, metrics } = a;
  return createWebhookActivities({
    notifier: new WebhookNotifier({
      sessions: new SessionStore(db),
      reviews: new ReviewStore(db),
      tenants: new TenantStore(db, webhookSecrets(config)),
      decisions: decisionsOf(a),
      timeoutMs: config.webhooks.timeoutMs,
      policy: config.webhooks.policy,
      metrics,
    }),
  });
}

/** The GPU worker's one activity, the exactly-once comparison, signing what it stores. */
export function composeGpu(a: Adapters & { pipeline: FaceComparer }): ReturnType<typeof createGpuActivities> {
  const { config, db, blobs, logger, metrics, pipeline } = a;
  if (!config.verdicts.signingKey) throw new Error('VERDICT_SIGNING_KEY is not set');
  const deps: GpuActivityDeps = {
    comparisons: new ComparisonStore(db),
    sessions: new SessionStore(db),
    blobs,
    pipeline,
    leaseMs: config.gpuWorker.leaseMs,
    tenantConcurrency: config.gpuWorker.tenantConcurrency,
    signer: VerdictSigner.parse(config.verdicts.signingKey),
    metrics,
    logger,
  };
  return createGpuActivities(deps);
}
