import { ApplicationFailure, Context } from '@temporalio/activity';
import type { FaceSimilarityOutcome } from '../contract/face-similarity.js';
import { WebhookDestinationError } from '../webhooks/destination.js';
import { WebhookRejectedError, type WebhookNotifier } from '../webhooks/notifier.js';

export interface WebhookInput {
  sessionId: string;
  /** What the workflow recorded; not read: the delivery reports what Postgres holds. */
  outcome?: FaceSimilarityOutcome;
}

/**
 * Delivers a session's outcome to its tenant's webhook. A 5xx, 429 or network error throws a
 * plain error, so Temporal retries with backoff; an endpoint we refuse to call (not https,
 * resolving inward) or one that redirects or rejects the request (4xx) fails without retries.
 */
export function createWebhookActivities(deps: { notifier: Pick<WebhookNotifier, 'deliver'> }) {
  return {
    async deliverWebhook(input: WebhookInput): Promise<{ delivered: boolean; status?: number }> {
      const ctx = Context.current();
      // The same id on every attempt, so receivers can drop duplicates.
      const id = `${ctx.info.workflowExecution?.workflowId ?? input.sessionId}/${ctx.info.activityId}`;
      try {
        return await deps.notifier.deliver(input.sessionId, { id, attempt: ctx.info.attempt, signal: ctx.cancellationSignal });
      } catch (err) {
        if (err instanceof WebhookDestinationError) {
          ctx.log.warn('webhook destination refused', { reason: err.message });
          throw ApplicationFailure.create({ message: err.message, type: 'WEBHOOK_DESTINATION_REFUSED', nonRetryable: true });
        }
        if (err instanceof WebhookRejectedError) throw ApplicationFailure.create({ message: err.message, type: 'WEBHOOK_REJECTED', nonRetryable: !err.retryable });
        throw err;
      }
    },
  };
}
