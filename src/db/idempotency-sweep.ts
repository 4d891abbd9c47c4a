import type { Logger } from 'pino';
import type { IdempotencyStore } from './idempotency-store.js';

/**
 * Deletes expired Idempotency-Key records every `everyMs` for as long as the API runs. Expired
 * keys are already free (a claim takes them over); this only keeps the table small. Several API
 * replicas sweeping at once is harmless.
 */
export function startIdempotencySweep(store: Pick<IdempotencyStore, 'deleteExpired'>, logger: Pick<Logger, 'info' | 'warn'>, everyMs = 10 * 60_000): () => void {
  const sweep = async () => {
    try {
      const deleted = await store.deleteExpired();
      if (deleted > 0) logger.info({ deleted }, 'expired idempotency keys deleted');
    } catch (err) {
      logger.warn({ err }, 'idempotency key sweep failed; next try in the next interval');
    }
  };
  const timer = setInterval(() => void sweep(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
