import { Worker, type NativeConnection } from '@temporalio/worker';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import type { createGpuActivities } from '../activities/gpu-activities.js';
import type { Keyring } from '../crypto/keyring.js';
import { workerTracing, type Tracing } from '../observability/tracing.js';
import { dataConverterFor } from '../temporal/payload-codec.js';
import { workflowSource } from './workflow-source.js';

export interface WorkerConnection {
  connection: NativeConnection;
  namespace: string;
  /** The process's tracing (observability/tracing.ts); unset: off. */
  tracing?: Tracing;
  /** Keys of the payload codec every worker encodes and decodes with; empty: payloads in clear (development). */
  payloadKeys: Keyring;
  acceptPlaintextPayloads?: boolean;
  /** Counts payloads refused for being in clear. */
  onRefusedPayload?: () => void;
}

const converterOf = (temporal: WorkerConnection) => {
  const dataConverter = dataConverterFor(temporal.payloadKeys, { acceptPlaintext: temporal.acceptPlaintextPayloads, onRefused: temporal.onRefusedPayload });
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
  options: { taskQueue: string; webhookTaskQueue: string; workflowBundlePath?: string; activities: object; webhookActivities: object; deployment?: WorkerDeploymentVersion },
): Promise<Worker[]> {
  return Promise.all([
    createWorkflowWorker(temporal, options),
    Worker.create({
      ...shared(temporal, options.webhookTaskQueue),
      ...workerTracing(temporal.tracing, 'none'),
      activities: options.webhookActivities,
    }),
  ]);
}

/** What every worker of the service shares: its connection, namespace, task queue and payload converter. */
function shared(temporal: WorkerConnection, taskQueue: string) {
  return { connection: temporal.connection, namespace: temporal.namespace, taskQueue, ...converterOf(temporal) };
}

/**
 * The worker of FaceSimilarityWorkflow and its bookkeeping. Under a worker deployment version
 * (WORKER_DEPLOYMENT_NAME + WORKER_BUILD_ID) every run is PINNED: a session finishes on the build
 * it started on, whatever version is made current meanwhile (docs/operate.md, Rolling out a
 * workflow change); without one, runs follow whichever worker polls, and patches keep them safe.
 */
export async function createWorkflowWorker(
  temporal: WorkerConnection,
  options: { taskQueue: string; workflowBundlePath?: string; activities: object; webhookActivities: object; deployment?: WorkerDeploymentVersion },
): Promise<Worker> {
  return Worker.create({
    ...shared(temporal, options.taskQueue),
    ...workflowSource(options.workflowBundlePath),
    ...workerTracing(temporal.tracing, options.workflowBundlePath ? 'bundle' : 'source'),
    ...(options.deployment ? { workerDeploymentOptions: { version: options.deployment, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' as const } } : {}),
    // A dead worker's cached workflows wait this long before another worker takes their next
    // task (the SDK's default is 10 s): the chaos run measured 19.6 s p50 decisions after a
    // SIGKILL of this worker with the default.
    stickyQueueScheduleToStartTimeout: '3s',
    activities: { ...options.activities, ...options.webhookActivities },
  });
}

/**
 * Runs only the face comparison, on its own task queue. Concurrency is bounded so that one
 * GPU (or the CPU fallback) is never oversubscribed; scale out by adding worker processes.
 */
export async function createGpuWorker(
  temporal: WorkerConnection,
  options: { taskQueue: string; concurrency: number; activities: ReturnType<typeof createGpuActivities> },
): Promise<Worker> {
  return Worker.create({
    ...shared(temporal, options.taskQueue),
    ...workerTracing(temporal.tracing, 'none'),
    activities: options.activities,
    maxConcurrentActivityTaskExecutions: options.concurrency,
  });
}
