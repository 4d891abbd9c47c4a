import { ApplicationFailure, Context } from '@temporalio/activity';
import { comparisonKeyOf, type FaceMatchResult, type FaceSimilarityOutcome } from '../contract/face-similarity.js';
import { toResult } from '../db/comparison-store.js';
import type { Db } from '../db/prisma.js';
import { postWebhook } from '../webhooks/deliver.js';
import { WebhookDestinationError, type DestinationPolicy } from '../webhooks/destination.js';
import type { SecretBox } from '../webhooks/secret-box.js';
import { signWebhook } from '../webhooks/signature.js';
import { metrics } from '../observability/metrics.js';

export interface WebhookInput {
  sessionId: string;
  outcome: FaceSimilarityOutcome;
}

/**
 * The body tenants receive: the decision and its figures (the stored result, read from Postgres:
 * the history holds only the verdict), never media, embeddings, frames or names. The delivery id
 * is in the body, so the signature covers it: a receiver that drops duplicates by it can trust it.
 */
export function webhookBody(input: WebhookInput, stored: FaceMatchResult | undefined, delivery: { id: string; occurredAt: string }): string {
  const { outcome } = input;
  return JSON.stringify({
    type: 'kyc.session.completed',
    deliveryId: delivery.id,
    sessionId: input.sessionId,
    status: outcome.status,
    occurredAt: delivery.occurredAt,
    ...(outcome.status === 'COMPLETED'
      ? { result: stored ? (({ frames: _frames, comparisonKey: _key, ...result }) => result)(stored) : outcome.result }
      : outcome.status === 'EXPIRED'
        ? { missing: outcome.missing }
        : { reason: outcome.reason }),
  });
}

export interface WebhookDeps {
  db: Db;
  timeoutMs: number;
  policy: DestinationPolicy;
  secrets: SecretBox;
}

/**
 * Delivers a session's outcome to its tenant's webhook, signed with the tenant's secret. A 5xx,
 * 429 or network error throws a plain error, so Temporal retries with backoff; an endpoint we
 * refuse to call (not https, resolving inward) or one that redirects or rejects the request
 * (4xx) fails without retries. A tenant without a webhook is a no-op.
 */
export function createWebhookActivities(deps: WebhookDeps) {
  return {
    async deliverWebhook(input: WebhookInput): Promise<{ delivered: boolean; status?: number }> {
      const session = await deps.db.kycSession.findUnique({
        where: { id: input.sessionId },
        include: { tenant: { select: { webhookUrl: true, webhookSecret: true } } },
      });
      const tenant = session?.tenant;
      if (!tenant?.webhookUrl || !tenant.webhookSecret) return { delivered: false };
      const ctx = Context.current();
      const comparison =
        input.outcome.status === 'COMPLETED'
          ? await deps.db.faceComparison.findUnique({ where: { comparisonKey: comparisonKeyOf(input.outcome.result) } })
          : null;
      // The same id on every attempt, so receivers can drop duplicates.
      const deliveryId = `${ctx.info.workflowExecution?.workflowId ?? input.sessionId}/${ctx.info.activityId}`;
      const body = webhookBody(input, comparison ? toResult(comparison) : undefined, { id: deliveryId, occurredAt: new Date().toISOString() });
      let status: number;
      try {
        ({ status } = await postWebhook(
          tenant.webhookUrl,
          body,
          {
            'content-type': 'application/json',
            'kyc-signature': signWebhook(deps.secrets.open(tenant.webhookSecret), body, Math.floor(Date.now() / 1000)),
            'kyc-delivery-id': deliveryId,
            'kyc-delivery-attempt': String(ctx.info.attempt),
          },
          { policy: deps.policy, timeoutMs: deps.timeoutMs, signal: ctx.cancellationSignal },
        ));
      } catch (err) {
        metrics.webhooks.inc({ result: err instanceof WebhookDestinationError ? 'refused' : 'network-error' });
        if (err instanceof WebhookDestinationError) {
          ctx.log.warn('webhook destination refused', { reason: err.message });
          throw ApplicationFailure.create({ message: err.message, type: 'WEBHOOK_DESTINATION_REFUSED', nonRetryable: true });
        }
        throw err;
      }
      metrics.webhooks.inc({ result: status >= 200 && status < 300 ? 'delivered' : `http-${Math.floor(status / 100)}xx` });
      if (status >= 200 && status < 300) return { delivered: true, status };
      const retryable = status >= 500 || status === 429 || status === 408;
      throw ApplicationFailure.create({
        message: status >= 300 && status < 400 ? `webhook answered HTTP ${status}; redirects are not followed` : `webhook answered HTTP ${status}`,
        type: 'WEBHOOK_REJECTED',
        nonRetryable: !retryable,
      });
    },
  };
}
