import { checkMatchThreshold } from '../contract/match-threshold.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { apiKeyMatches, apiKeyPrefix, generateApiKey } from '../auth/api-key.js';
import { reviewPolicySchema, type LivenessPolicy, type ReviewPolicy } from '../contract/face-similarity.js';
import { Keyring } from '../crypto/keyring.js';
import { SecretBox } from '../crypto/secret-box.js';
import { Prisma } from '../generated/prisma/client.js';
import type { DbClient } from './prisma.js';

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64 (webhooks/signature.ts derives the key so). */
const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** INTEGRATION keys run sessions; REVIEWER keys read and review them (and cannot create any). */
export const API_KEY_ROLES = ['INTEGRATION', 'REVIEWER'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

export interface AuthenticatedTenant {
  tenantId: string;
  tenantName: string;
  keyId: string;
  role: ApiKeyRole;
}

/** Tenants and their API keys. Webhook secrets are stored sealed by `secrets` (when it has keys). */
export class TenantStore {
  constructor(
    private readonly db: DbClient,
    private readonly secrets: SecretBox = new SecretBox(new Keyring([])),
  ) {}

  /** The row, with the webhook secret in clear: the only time it is returned (to be shown once). */
  async createTenant(name: string, webhookUrl?: string) {
    const secret = webhookUrl ? newWebhookSecret() : null;
    const row = await this.db.tenant.create({
      data: { id: randomUUID(), name, webhookUrl: webhookUrl ?? null, webhookSecret: secret && this.secrets.seal(secret) },
    });
    return { ...row, webhookSecret: secret };
  }

  /** Re-seals every webhook secret (current and previous) not sealed with the current key; returns how many. */
  async resealWebhookSecrets(): Promise<number> {
    if (!this.secrets.enabled) throw new Error('WEBHOOK_SECRET_KEYS is not set: nothing to seal with');
    const tenants = await this.db.tenant.findMany({
      where: { OR: [{ webhookSecret: { not: null } }, { webhookSecretPrevious: { not: null } }] },
      select: { id: true, webhookSecret: true, webhookSecretPrevious: true },
    });
    let resealed = 0;
    for (const tenant of tenants) {
      const stale = (sealed: string | null) => sealed !== null && !this.secrets.isCurrent(sealed);
      if (!stale(tenant.webhookSecret) && !stale(tenant.webhookSecretPrevious)) continue;
      const reseal = (sealed: string | null) => (sealed !== null && stale(sealed) ? this.secrets.seal(this.secrets.open(sealed)) : sealed);
      // Only if unchanged meanwhile: a concurrent rotation must not be overwritten with an older seal.
      const { count } = await this.db.tenant.updateMany({
        where: { id: tenant.id, webhookSecret: tenant.webhookSecret, webhookSecretPrevious: tenant.webhookSecretPrevious },
        data: { webhookSecret: reseal(tenant.webhookSecret), webhookSecretPrevious: reseal(tenant.webhookSecretPrevious) },
      });
      resealed += count * [tenant.webhookSecret, tenant.webhookSecretPrevious].filter(stale).length;
    }
    return resealed;
  }

  /**
   * A new webhook secret (returned in clear, to be shown once). The one it replaces keeps signing
   * beside it until `overlapMs` has passed, so the tenant can deploy the new one without a gap;
   * a second rotation within the overlap drops the oldest.
   */
  async rotateWebhookSecret(tenantId: string, overlapMs: number): Promise<{ secret: string; previousUntil: Date | null }> {
    const tenant = await this.db.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { webhookUrl: true, webhookSecret: true } });
    if (!tenant.webhookUrl) throw new Error('the tenant has no webhook: set one with `keys tenant create --webhook` first');
    const secret = newWebhookSecret();
    const previousUntil = tenant.webhookSecret && overlapMs > 0 ? new Date(Date.now() + overlapMs) : null;
    const { count } = await this.db.tenant.updateMany({
      where: { id: tenantId, webhookSecret: tenant.webhookSecret },
      data: { webhookSecret: this.secrets.seal(secret), webhookSecretPrevious: previousUntil ? tenant.webhookSecret : null, webhookSecretPreviousUntil: previousUntil },
    });
    if (count !== 1) throw new Error('the webhook secret changed meanwhile; rotate again');
    return { secret, previousUntil };
  }

  /** Sets some of a tenant's liveness modes; checks not named keep theirs. */
  async setLivenessModes(tenantId: string, modes: Partial<LivenessPolicy>): Promise<Partial<LivenessPolicy>> {
    const tenant = await this.db.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    const merged = { ...((tenant.livenessPolicy as Partial<LivenessPolicy> | null) ?? {}), ...modes };
    await this.db.tenant.update({ where: { id: tenantId }, data: { livenessPolicy: merged } });
    return merged;
  }

  /** Sets the tenant's own similarity threshold (null: back to the service's); refuses one out of bounds. */
  async setMatchThreshold(tenantId: string, value: number | null): Promise<void> {
    const refusal = value === null ? undefined : checkMatchThreshold(value);
    if (refusal) throw new Error(refusal);
    await this.db.tenant.update({ where: { id: tenantId }, data: { matchThreshold: value } });
  }

  /** The tenant's own similarity threshold, if it has one. */
  async matchThreshold(tenantId: string): Promise<number | null> {
    const tenant = await this.db.tenant.findUnique({ where: { id: tenantId }, select: { matchThreshold: true } });
    return tenant?.matchThreshold ?? null;
  }

  /** Sets the tenant's own storage quota in bytes (null: back to the service default). */
  async setStorageQuota(tenantId: string, bytes: number | null): Promise<void> {
    await this.db.tenant.update({ where: { id: tenantId }, data: { storageQuotaBytes: bytes === null ? null : BigInt(bytes) } });
  }

  /** The tenant's own storage quota, if it has one. */
  async storageQuota(tenantId: string): Promise<number | null> {
    const tenant = await this.db.tenant.findUnique({ where: { id: tenantId }, select: { storageQuotaBytes: true } });
    return tenant?.storageQuotaBytes === null || tenant?.storageQuotaBytes === undefined ? null : Number(tenant.storageQuotaBytes);
  }

  /** Sets some of the tenant's own retention periods (ms); classes not named keep theirs. */
  async setRetention(tenantId: string, periods: Partial<Record<'mediaMs' | 'frameDetailsMs' | 'decisionMs', number>>) {
    const merged = { ...(await this.retention(tenantId)), ...periods };
    await this.db.tenant.update({ where: { id: tenantId }, data: { retentionPolicy: merged } });
    return merged;
  }

  async retention(tenantId: string): Promise<Partial<Record<'mediaMs' | 'frameDetailsMs' | 'decisionMs', number>>> {
    const tenant = await this.db.tenant.findUnique({ where: { id: tenantId }, select: { retentionPolicy: true } });
    return (tenant?.retentionPolicy as Partial<Record<'mediaMs' | 'frameDetailsMs' | 'decisionMs', number>> | null) ?? {};
  }

  /** Sets the tenant's review policy (null: every decision is the machine's again); returns it with defaults filled. */
  async setReviewPolicy(tenantId: string, policy: Partial<ReviewPolicy> | null): Promise<ReviewPolicy | null> {
    const checked = policy === null ? null : reviewPolicySchema.safeParse(policy);
    if (checked && !checked.success) throw new Error(`review policy refused: ${checked.error.issues.map((i) => `${i.path.join('.') || 'policy'}: ${i.message}`).join('; ')}`);
    const parsed = checked?.data ?? null;
    await this.db.tenant.update({ where: { id: tenantId }, data: { reviewPolicy: parsed ?? Prisma.DbNull } });
    return parsed;
  }

  /** The tenant's review policy, or null when none applies. */
  async reviewPolicy(tenantId: string): Promise<ReviewPolicy | null> {
    const tenant = await this.db.tenant.findUnique({ where: { id: tenantId }, select: { reviewPolicy: true } });
    const parsed = tenant?.reviewPolicy ? reviewPolicySchema.safeParse(tenant.reviewPolicy) : null;
    return parsed?.success ? parsed.data : null;
  }

  /** The tenant's own liveness modes (possibly none): the service defaults fill the rest. */
  async livenessModes(tenantId: string): Promise<Partial<LivenessPolicy>> {
    const tenant = await this.db.tenant.findUnique({ where: { id: tenantId }, select: { livenessPolicy: true } });
    return (tenant?.livenessPolicy as Partial<LivenessPolicy> | null) ?? {};
  }

  findTenant(idOrName: string) {
    const isUuid = /^[0-9a-f-]{36}$/i.test(idOrName);
    return this.db.tenant.findFirst({ where: isUuid ? { OR: [{ id: idOrName }, { name: idOrName }] } : { name: idOrName } });
  }

  /** Creates a key and returns it in full: the only time it is ever visible. */
  async createKey(tenantId: string, label?: string, role: ApiKeyRole = 'INTEGRATION'): Promise<{ id: string; key: string; prefix: string }> {
    const { key, prefix, hash } = generateApiKey();
    const row = await this.db.apiKey.create({ data: { id: randomUUID(), tenantId, prefix, keyHash: hash, label: label ?? null, role } });
    return { id: row.id, key, prefix };
  }

  async revokeKey(prefix: string): Promise<boolean> {
    const { count } = await this.db.apiKey.updateMany({ where: { prefix, revokedAt: null }, data: { revokedAt: new Date() } });
    return count === 1;
  }

  listKeys() {
    return this.db.apiKey.findMany({ include: { tenant: { select: { name: true } } }, orderBy: { createdAt: 'asc' } });
  }

  /** The webhook of a tenant and the secrets that sign it (the current one first, the previous while it overlaps); null without one. */
  async webhookOf(tenantId: string, now = new Date()): Promise<{ url: string; secrets: string[] } | null> {
    const tenant = await this.db.tenant.findUnique({
      where: { id: tenantId },
      select: { webhookUrl: true, webhookSecret: true, webhookSecretPrevious: true, webhookSecretPreviousUntil: true },
    });
    if (!tenant?.webhookUrl || !tenant.webhookSecret) return null;
    const overlapping = tenant.webhookSecretPrevious && tenant.webhookSecretPreviousUntil && tenant.webhookSecretPreviousUntil > now;
    return { url: tenant.webhookUrl, secrets: [tenant.webhookSecret, ...(overlapping ? [tenant.webhookSecretPrevious!] : [])].map((sealed) => this.secrets.open(sealed)) };
  }

  /** Prefixes of every live key: an unknown prefix is refused without a lookup (api/plugins/authentication.ts). */
  async livePrefixes(): Promise<string[]> {
    return (await this.db.apiKey.findMany({ where: { revokedAt: null }, select: { prefix: true } })).map((k) => k.prefix);
  }

  /** The tenant of a live key, or null for a malformed, unknown, wrong or revoked one. */
  async authenticate(key: string): Promise<AuthenticatedTenant | null> {
    const prefix = apiKeyPrefix(key);
    if (!prefix) return null;
    const row = await this.db.apiKey.findUnique({ where: { prefix }, include: { tenant: { select: { name: true } } } });
    if (!row || row.revokedAt || !apiKeyMatches(key, row.keyHash)) return null;
    return { tenantId: row.tenantId, tenantName: row.tenant.name, keyId: row.id, role: row.role === 'REVIEWER' ? 'REVIEWER' : 'INTEGRATION' };
  }
}
