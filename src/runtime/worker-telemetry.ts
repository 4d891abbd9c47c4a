import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { Logger } from 'pino';
import { serveMetrics } from '../observability/metrics.js';

/**
 * A worker process's telemetry: core logs at WARN, and with `metricsPort` our metrics at
 * :metricsPort/metrics and the Temporal SDK's own worker metrics (task slots, poll and
 * schedule-to-start latencies, sticky cache) at :metricsPort+1/metrics.
 */
export async function installWorkerTelemetry(metricsPort: number, logger: Logger): Promise<void> {
  Runtime.install({
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
      ...(metricsPort > 0 ? { metrics: { prometheus: { bindAddress: `0.0.0.0:${metricsPort + 1}` } } } : {}),
    },
  });
  if (metricsPort > 0) {
    await serveMetrics(metricsPort);
    logger.info({ metrics: metricsPort, sdkMetrics: metricsPort + 1 }, 'metrics served');
  }
}
