import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { serveMetrics } from '../observability/metrics.js';

/**
 * A worker process's telemetry: core logs at WARN, and with a metrics port our metrics at
 * :port/metrics and the Temporal SDK's own worker metrics (task slots, poll and
 * schedule-to-start latencies, sticky cache) at :port+1/metrics.
 */
export async function installWorkerTelemetry(metrics: { port: number; host: string }, registry: Registry, logger: Logger): Promise<void> {
  Runtime.install({
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
      ...(metrics.port > 0 ? { metrics: { prometheus: { bindAddress: `${metrics.host}:${metrics.port + 1}` } } } : {}),
    },
  });
  if (metrics.port > 0) {
    await serveMetrics(registry, metrics.port, metrics.host);
    logger.info({ metrics: metrics.port, sdkMetrics: metrics.port + 1 }, 'metrics served');
  }
}
