import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createGpuActivities, type GpuActivityDeps } from '../activities/gpu-activities.js';
import { createOrchestrationActivities } from '../activities/orchestration-activities.js';
import { createRetentionActivities } from '../activities/retention-activities.js';
import { createWebhookActivities, type WebhookDeps } from '../activities/webhook-activities.js';
import type { RetentionPolicy } from '../lifecycle/retention.js';
import { AuditLog } from '../db/audit-log.js';
import type { BlobStore } from '../storage/blob-store.js';
import { dataConverterFor } from '../temporal/payload-codec.js';
import type { SecretKey } from '../webhooks/secret-box.js';
import type { SessionStore } from '../db/session-store.js';
import { workerTracing, type Tracing } from '../observability/tracing.js';
import { workflowSource } from './workflow-source.js';

export interface WorkerConnection {
  connection: NativeConnection;
  namespace: string;
  /** The process's tracing (observability/tracing.ts); unset: off. */
  tracing?: Tracing;
  /** Keys of the payload codec every worker encodes and decodes with; none: payloads in clear. */
  payloadKeys?: readonly SecretKey[];
}

const converterOf = (temporal: WorkerConnection) => {
  const dataConverter = dataConverterFor(temporal.payloadKeys ?? []);
  return dataConverter ? { dataConverter } : {};
};

/**
 * Runs FaceSimilarityWorkflow and its bookkeeping; needs no models. Webhook deliveries run on
 * their own task queue (a second worker in the same process), so a slow tenant endpoint can
 * never hold the slots that record session outcomes. Runs started before the webhook queue
 * existed still schedule deliveries here, so this worker keeps the activity too.
 */
export async function createOrchestrationWorkers(
  temporal: WorkerConnection,
  options: {
    taskQueue: string;
    webhookTaskQueue: string;
    workflowBundlePath?: string;
    sessions: SessionStore;
    webhooks: WebhookDeps;
    retention: { blobs: BlobStore; defaults: RetentionPolicy };
  },
): Promise<Worker[]> {
  const webhookActivities = createWebhookActivities(options.webhooks);
  return Promise.all([
    Worker.create({
      connection: temporal.connection,
      namespace: temporal.namespace,
      taskQueue: options.taskQueue,
      ...converterOf(temporal),
      ...workflowSource(options.workflowBundlePath),
      ...workerTracing(temporal.tracing, options.workflowBundlePath ? 'bundle' : 'source'),
      // A dead worker's cached workflows wait this long before another worker takes their next
      // task (the SDK's default is 10 s): the chaos run measured 19.6 s p50 decisions after a
      // SIGKILL of this worker with the default.
      stickyQueueScheduleToStartTimeout: '3s',
      activities: {
        ...createOrchestrationActivities({ sessions: options.sessions, audit: new AuditLog(options.webhooks.db) }),
        ...webhookActivities,
        ...createRetentionActivities({ db: options.webhooks.db, ...options.retention }),
      },
    }),
    Worker.create({
      connection: temporal.connection,
      namespace: temporal.namespace,
      taskQueue: options.webhookTaskQueue,
      ...converterOf(temporal),
      ...workerTracing(temporal.tracing, 'none'),
      activities: webhookActivities,
    }),
  ]);
}

/**
 * Runs only the face comparison, on its own task queue. Concurrency is bounded so that one
 * GPU (or the CPU fallback) is never oversubscribed; scale out by adding worker processes.
 */
export async function createGpuWorker(
  temporal: WorkerConnection,
  options: { taskQueue: string; concurrency: number; logger: Logger } & Omit<GpuActivityDeps, 'logger'>,
): Promise<Worker> {
  return Worker.create({
    connection: temporal.connection,
    namespace: temporal.namespace,
    taskQueue: options.taskQueue,
    ...converterOf(temporal),
    ...workerTracing(temporal.tracing, 'none'),
    activities: createGpuActivities({ ...options, logger: options.logger }),
    maxConcurrentActivityTaskExecutions: options.concurrency,
  });
}
