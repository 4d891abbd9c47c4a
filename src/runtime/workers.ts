import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createGpuActivities, type GpuActivityDeps } from '../activities/gpu-activities.js';
import { createOrchestrationActivities } from '../activities/orchestration-activities.js';
import { createWebhookActivities } from '../activities/webhook-activities.js';
import type { Db } from '../db/prisma.js';
import type { SessionStore } from '../db/session-store.js';
import { workflowSource } from './workflow-source.js';

export interface WorkerConnection {
  connection: NativeConnection;
  namespace: string;
}

/** Runs FaceSimilarityWorkflow, its bookkeeping and its webhook deliveries; needs no models. */
export async function createOrchestrationWorker(
  temporal: WorkerConnection,
  options: { taskQueue: string; workflowBundlePath?: string; sessions: SessionStore; db: Db; webhookTimeoutMs?: number },
): Promise<Worker> {
  return Worker.create({
    connection: temporal.connection,
    namespace: temporal.namespace,
    taskQueue: options.taskQueue,
    ...workflowSource(options.workflowBundlePath),
    activities: {
      ...createOrchestrationActivities({ sessions: options.sessions }),
      ...createWebhookActivities({ db: options.db, timeoutMs: options.webhookTimeoutMs ?? 10_000 }),
    },
  });
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
    activities: createGpuActivities({ ...options, logger: options.logger }),
    maxConcurrentActivityTaskExecutions: options.concurrency,
  });
}
