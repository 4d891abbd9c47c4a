import { FILE_KINDS } from '../contract/face-similarity.js';
import { toResult } from '../db/comparison-rows.js';
import type { ReviewRow, ReviewStore } from '../db/review-store.js';
import type { SessionStore } from '../db/session-store.js';
import type { TenantStore } from '../db/tenant-store.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import type { Decisions } from '../sessions/decisions.js';
import { postWebhook } from './deliver.js';
import { WebhookDestinationError, type DestinationPolicy } from './destination.js';
import { signWebhook } from './signature.js';

export interface NotifierDeps {
  sessions: Pick<SessionStore, 'find'>;
  reviews: Pick<ReviewStore, 'find'>;
  tenants: Pick<TenantStore, 'webhookOf'>;
  decisions: Decisions;
  timeoutMs: number;
  policy: DestinationPolicy;
  metrics: Pick<ServiceMetrics, 'webhooks'>;
}

/** A person's decision replaces the machine's match; the machine's is kept beside it. */
function reviewed(review: ReviewRow | null) {
  if (!review?.decision) return {};
  const { decision, reasonCode, decidedBy, decidedAt, machineMatch } = review;
  return { match: decision === 'APPROVE', review: { decision, reasonCode, decidedBy, decidedAt: decidedAt?.toISOString() ?? null, machineMatch } };
}

/** The endpoint answered, and whether that is worth another attempt (5xx, 429, 408). */
export class WebhookRejectedError extends Error {
  constructor(readonly status: number) {
    super(status >= 300 && status < 400 ? `webhook answered HTTP ${status}; redirects are not followed` : `webhook answered HTTP ${status}`);
    this.name = 'WebhookRejectedError';
  }

  get retryable(): boolean {
    return this.status >= 500 || this.status === 429 || this.status === 408;
  }
}

/**
 * Tells a tenant that one of its sessions ended, with the outcome Postgres recorded (verified,
 * sessions/outcome-recorder.ts), never the one a history claims. The body carries the decision
 * and its figures, never media, embeddings, frames or names; the delivery id is inside it, so the
 * signature covers it. A tenant without a webhook is a no-op.
 */
export class WebhookNotifier {
  constructor(private readonly deps: NotifierDeps) {}

  async deliver(sessionId: string, delivery: { id: string; attempt: number; signal?: AbortSignal }): Promise<{ delivered: boolean; status?: number }> {
    const session = await this.deps.sessions.find(sessionId);
    const webhook = session ? await this.deps.tenants.webhookOf(session.tenantId) : null;
    if (!session || !webhook) return { delivered: false };
    const decision = session.status === 'COMPLETED' ? await this.deps.decisions.deciding(session) : null;
    const review = decision ? await this.deps.reviews.find(sessionId) : null;
    const body = JSON.stringify({
      type: 'kyc.session.completed',
      deliveryId: delivery.id,
      sessionId,
      reference: session.reference,
      // A completed session whose decision cannot be verified is reported as the failure it is.
      status: session.status === 'COMPLETED' && !decision ? 'FAILED' : session.status,
      occurredAt: new Date().toISOString(),
      ...(session.status === 'COMPLETED'
        ? decision
          ? { result: { ...(({ frames: _frames, comparisonKey: _key, ...result }) => result)(toResult(decision)), ...reviewed(review) } }
          : { reason: 'VERDICT_UNVERIFIED' }
        : session.status === 'EXPIRED'
          ? { missing: FILE_KINDS.filter((kind) => !session.files.some((f) => f.kind === kind)) }
          : { reason: session.rejectionReason }),
    });
    let status: number;
    try {
      ({ status } = await postWebhook(
        webhook.url,
        body,
        {
          'content-type': 'application/json',
          // Signed per attempt: the timestamp is this attempt's, the id stays the delivery's.
          ...signWebhook(webhook.secrets, delivery.id, Math.floor(Date.now() / 1000), body),
          'kyc-delivery-attempt': String(delivery.attempt),
        },
        { policy: this.deps.policy, timeoutMs: this.deps.timeoutMs, signal: delivery.signal },
      ));
    } catch (err) {
      this.deps.metrics.webhooks.inc({ result: err instanceof WebhookDestinationError ? 'refused' : 'network-error' });
      throw err;
    }
    this.deps.metrics.webhooks.inc({ result: status >= 200 && status < 300 ? 'delivered' : `http-${Math.floor(status / 100)}xx` });
    if (status >= 200 && status < 300) return { delivered: true, status };
    throw new WebhookRejectedError(status);
  }
}
