// Process entry: runs FaceSimilarityWorkflow, its bookkeeping and webhook activities, and retention.
import type { Logger } from 'pino';
import { loadConfig } from '../src/config/config.js';
import { createDb } from '../src/db/prisma.js';
import { createLogger } from '../src/logging.js';
import { createMetrics } from '../src/observability/metrics.js';
import { ReviewStore } from '../src/db/review-store.js';
import { watchReviewBacklog } from '../src/sessions/review-backlog.js';
import { installTracing } from '../src/observability/tracing.js';
import { composeOrchestration, composeWebhooks, payloadKeyring } from '../src/runtime/compose.js';
import { runMain } from '../src/runtime/main.js';
import { installWorkerTelemetry } from '../src/runtime/worker-telemetry.js';
import { createOrchestrationWorkers } from '../src/runtime/workers.js';
import { createBlobStore } from '../src/storage/create-blob-store.js';
import { SessionWorkflows } from '../src/temporal/client.js';
import { connectWorker } from '../src/temporal/connection.js';
import { ensureRetentionSchedule } from '../src/temporal/retention-schedule.js';
import { ensureSearchAttributes } from '../src/temporal/search-attributes.js';

let logger: Logger | undefined;

runMain('orchestration-worker', async () => {
  const config = loadConfig(process.env, 'orchestration-worker');
  const log = createLogger({ level: config.logLevel, format: config.logFormat, name: 'orchestration-worker' });
  logger = log;
  const tracing = installTracing('kyc-orchestration-worker', config.tracing);
  const metrics = createMetrics();
  await installWorkerTelemetry(config.metrics, metrics.registry, log);
  const payloadKeys = payloadKeyring(config);
  const workflows = await SessionWorkflows.connect({ ...config.temporal, payloadKeys, onRefusedPayload: () => metrics.refusedPayloads.inc() });
  await ensureSearchAttributes(workflows.connection, config.temporal.namespace).catch((err: unknown) =>
    log.warn(
      { err },
      'could not register the KycStatus search attribute; workflows will stall until an operator runs ' +
        '`temporal operator search-attribute create --name KycStatus --type Keyword`',
    ),
  );
  const db = createDb(config.database.url);
  const connection = await connectWorker(config.temporal);
  let stopBacklog = () => {};
  try {
    const adapters = { config, db, blobs: createBlobStore(config.storage), logger: log, metrics };
    const workers = await createOrchestrationWorkers(
      { connection, namespace: config.temporal.namespace, payloadKeys, acceptPlaintextPayloads: config.temporal.acceptPlaintextPayloads, onRefusedPayload: () => metrics.refusedPayloads.inc(), ...(tracing ? { tracing } : {}) },
      {
        taskQueue: config.temporal.orchestrationTaskQueue,
        webhookTaskQueue: config.temporal.webhookTaskQueue,
        workflowBundlePath: config.temporal.workflowBundlePath,
        ...(config.temporal.deployment ? { deployment: config.temporal.deployment } : {}),
        activities: composeOrchestration({ ...adapters, workflows }),
        webhookActivities: composeWebhooks(adapters),
      },
    );
    const backlog = watchReviewBacklog(new ReviewStore(db), metrics, log);
    stopBacklog = backlog.stop;
    await ensureRetentionSchedule(workflows.client, { taskQueue: config.temporal.orchestrationTaskQueue, everyMs: config.retention.sweepEveryMs });
    log.info({ taskQueue: config.temporal.orchestrationTaskQueue, webhookTaskQueue: config.temporal.webhookTaskQueue }, 'orchestration worker running');
    // Worker.run() returns after SIGINT/SIGTERM once in-flight tasks have finished.
    await Promise.all(workers.map((worker) => worker.run()));
  } finally {
    stopBacklog();
    await tracing?.shutdown();
    await workflows.close();
    await connection.close();
    await db.$disconnect();
  }
}, () => logger);
