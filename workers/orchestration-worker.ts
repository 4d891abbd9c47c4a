// Process entry: runs FaceSimilarityWorkflow and its bookkeeping activities.
import { NativeConnection } from '@temporalio/worker';
import { installWorkerTelemetry } from '../src/runtime/worker-telemetry.js';
import { installTracing } from '../src/observability/tracing.js';
import type { Logger } from 'pino';
import { loadConfig } from '../src/config/config.js';
import { createDb } from '../src/db/prisma.js';
import { SessionStore } from '../src/db/session-store.js';
import { createLogger } from '../src/logging.js';
import { runMain } from '../src/runtime/main.js';
import { createOrchestrationWorkers } from '../src/runtime/workers.js';
import { SecretBox } from '../src/webhooks/secret-box.js';
import { Client, Connection } from '@temporalio/client';
import { createBlobStore } from '../src/storage/create-blob-store.js';
import { ensureRetentionSchedule } from '../src/temporal/retention-schedule.js';
import { ensureSearchAttributes } from '../src/temporal/search-attributes.js';

let logger: Logger | undefined;

runMain('orchestration-worker', async () => {
  const config = loadConfig();
  logger = createLogger({ level: config.logLevel, format: config.logFormat, name: 'orchestration-worker' });
  const tracing = installTracing('kyc-orchestration-worker', config.tracing);
  await installWorkerTelemetry(config.metricsPort, logger);
  await ensureSearchAttributes(config.temporal.address, config.temporal.namespace).catch((err: unknown) =>
    logger?.warn(
      { err },
      'could not register the KycStatus search attribute; workflows will stall until an operator runs ' +
        '`temporal operator search-attribute create --name KycStatus --type Keyword`',
    ),
  );
  const db = createDb(config.database.url);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const workers = await createOrchestrationWorkers(
      { connection, namespace: config.temporal.namespace, payloadKeys: config.temporal.payloadKeys, ...(tracing ? { tracing } : {}) },
      {
        taskQueue: config.temporal.orchestrationTaskQueue,
        webhookTaskQueue: config.temporal.webhookTaskQueue,
        workflowBundlePath: config.temporal.workflowBundlePath,
        sessions: new SessionStore(db),
        webhooks: { db, timeoutMs: config.webhooks.timeoutMs, policy: config.webhooks.policy, secrets: new SecretBox(config.webhooks.secretKeys) },
        retention: { blobs: createBlobStore(config), defaults: config.retention.defaults },
      },
    );
    const client = new Client({ connection: await Connection.connect({ address: config.temporal.address }), namespace: config.temporal.namespace });
    await ensureRetentionSchedule(client, { taskQueue: config.temporal.orchestrationTaskQueue, everyMs: config.retention.sweepEveryMs });
    await client.connection.close();
    logger.info({ taskQueue: config.temporal.orchestrationTaskQueue, webhookTaskQueue: config.temporal.webhookTaskQueue }, 'orchestration worker running');
    // Worker.run() returns after SIGINT/SIGTERM once in-flight tasks have finished.
    await Promise.all(workers.map((worker) => worker.run()));
  } finally {
    await tracing?.shutdown();
    await connection.close();
    await db.$disconnect();
  }
}, () => logger);
