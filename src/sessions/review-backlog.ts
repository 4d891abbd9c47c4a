import type { Logger } from 'pino';
import type { ReviewStore } from '../db/review-store.js';
import type { ServiceMetrics } from '../observability/metrics.js';

/**
 * Keeps the review gauges (waiting, overdue, oldest age) current from Postgres, where the queue
 * lives: every replica of the orchestration worker reports the same figures, so alert on `max`.
 * Returns a function that stops it; `refresh` runs one round (tests, the first scrape).
 */
export function watchReviewBacklog(reviews: Pick<ReviewStore, 'backlog'>, metrics: Pick<ServiceMetrics, 'reviewBacklog' | 'reviewOldestAge'>, logger: Logger, everyMs = 15_000) {
  const refresh = async () => {
    try {
      const { waiting, overdue, oldestAgeSeconds } = await reviews.backlog();
      metrics.reviewBacklog.set({ state: 'waiting' }, waiting);
      metrics.reviewBacklog.set({ state: 'overdue' }, overdue);
      metrics.reviewOldestAge.set(oldestAgeSeconds);
    } catch (err) {
      logger.warn({ err }, 'could not read the review backlog for the metrics');
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), everyMs);
  timer.unref();
  return { refresh, stop: () => clearInterval(timer) };
}
