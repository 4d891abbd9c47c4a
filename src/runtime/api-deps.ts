import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { SessionTokens } from '../auth/session-token.js';
import { eraseSession } from '../lifecycle/erasure.js';
import { AuditLog } from '../db/audit-log.js';
import { AesGcmPayloadCodec } from '../temporal/payload-codec.js';
import type { AppDeps } from '../api/app.js';
import type { AppConfig } from '../config/config.js';
import type { Db } from '../db/prisma.js';
import { SessionStore } from '../db/session-store.js';
import { TenantStore } from '../db/tenant-store.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { SessionWorkflows } from '../temporal/client.js';

/** Everything the API needs, from the process's adapters and its config. */
export function apiDeps(config: AppConfig, adapters: { db: Db; blobs: BlobStore; workflows: SessionWorkflows; logger: Logger }): AppDeps {
  const { db, blobs, workflows, logger } = adapters;
  return {
    logger,
    sessions: new SessionStore(db),
    tenants: new TenantStore(db),
    idempotency: { db, times: config.api.idempotency, sweepEveryMs: config.api.idempotency.sweepEveryMs },
    blobs,
    workflows,
    livenessDefaults: config.face.liveness.defaultPolicy,
    maxBytes: config.api.maxBytes,
    media: config.api.media,
    maxUploadsPerSession: config.api.maxUploadsPerSession,
    tenantStorageQuotaBytes: config.api.tenantStorageQuotaBytes,
    authFailuresPerMinute: config.api.authFailuresPerMinute,
    tokens: sessionTokens(config, logger),
    audit: new AuditLog(db),
    ...codecServerOf(config, logger),
    erase: (session, erasedBy) => eraseSession({ db, blobs, workflows }, session, erasedBy),
    minimumUploadRate: config.api.minimumUploadRate,
    timeouts: config.api.timeouts,
    rateLimitPerMinute: config.api.rateLimitPerMinute,
    readiness: async () => {
      const [database, temporal] = await Promise.all([
        db.$queryRaw`SELECT 1`.then(() => true, () => false),
        workflows.ping().then(() => true, () => false),
      ]);
      return { database, temporal };
    },
  };
}

/** Without CLIENT_TOKEN_SECRET a random one is made: fine for one process, wrong for several replicas. */
function sessionTokens(config: AppConfig, logger: Logger): SessionTokens {
  const { secret, ttlMs } = config.api.clientTokens;
  if (!secret) logger.warn('CLIENT_TOKEN_SECRET is not set: session tokens are signed with a random secret and do not survive a restart or work across API replicas');
  return new SessionTokens(secret ?? randomBytes(32).toString('base64url'), ttlMs);
}

/**
 * The codec endpoint, where payloads are encrypted: with CODEC_SERVER_TOKEN, or without one only
 * while the API listens on loopback (a developer's own UI); anywhere else it stays off.
 */
function codecServerOf(config: AppConfig, logger: Logger) {
  const { payloadKeys, codecServer } = config.temporal;
  if (payloadKeys.length === 0) return {};
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(config.api.host);
  if (!codecServer.token && !loopback) {
    logger.warn('codec endpoint off: set CODEC_SERVER_TOKEN to serve /codec on a non-loopback address');
    return {};
  }
  return { codecServer: { codec: new AesGcmPayloadCodec(payloadKeys), allowedOrigins: codecServer.allowedOrigins, token: codecServer.token } };
}
