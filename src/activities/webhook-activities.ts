import { ApplicationFailure, Context } from '@temporalio/activity';
import { comparisonKeyOf, type FaceMatchResult, type FaceSimilarityOutcome } from '../contract/face-similarity.js';
import { toResult } from '../db/comparison-store.js';
import type { Db } from '../db/prisma.js';
import { signWebhook } from '../webhooks/signature.js';

export interface WebhookInput {
  sessionId: string;
  outcome: FaceSimilarityOutcome;
}

/**
 * The body tenants receive: the decision and its figures (the stored result, read from Postgres:
 * the history holds only the verdict), never media, embeddings, frames or names.
 */
export function webhookBody(input: WebhookInput, stored: FaceMatchResult | undefined, occurredAt: string): string {
  const { outcome } = input;
  return JSON.stringify({
    type: 'kyc.session.completed',
    sessionId: input.sessionId,
    status: outcome.status,
    occurredAt,
    ...(outcome.status === 'COMPLETED'
      ? { result: stored ? (({ frames: _frames, comparisonKey: _key, ...result }) => result)(stored) : outcome.result }
      : outcome.status === 'EXPIRED'
        ? { missing: outcome.missing }
        : { reason: outcome.reason }),
  });
}

/**
 * Delivers a session's outcome to its tenant's webhook, signed with the tenant's secret. Any
 * answer but 2xx throws, so Temporal retries with backoff; a tenant without a webhook is a no-op.
 */
export function createWebhookActivities(deps: { db: Db; timeoutMs: number }) {
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
      const body = webhookBody(input, comparison ? toResult(comparison) : undefined, new Date().toISOString());
      const response = await fetch(tenant.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'kyc-signature': signWebhook(tenant.webhookSecret, body, Math.floor(Date.now() / 1000)),
          // The same id on every attempt, so receivers can drop duplicates.
          'kyc-delivery-id': `${ctx.info.workflowExecution?.workflowId ?? input.sessionId}/${ctx.info.activityId}`,
          'kyc-delivery-attempt': String(ctx.info.attempt),
        },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(deps.timeoutMs), ctx.cancellationSignal]),
      });
      await response.body?.cancel();
      if (!response.ok) {
        throw ApplicationFailure.create({ message: `webhook answered HTTP ${response.status}`, type: 'WEBHOOK_REJECTED' });
      }
      return { delivered: true, status: response.status };
    },
  };
}
