import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import type { Logger } from 'pino';
import { buildApp } from '../../src/api/app.js';
import type { AppConfig } from '../../src/config/config.js';
import { workflowIdFor, type FaceSimilarityOutcome, type LivenessPolicy } from '../../src/contract/face-similarity.js';
import { createDb, type Db } from '../../src/db/prisma.js';
import { TenantStore } from '../../src/db/tenant-store.js';
import type { FaceComparer } from '../../src/face/pipeline.js';
import { createMetrics, type ServiceMetrics } from '../../src/observability/metrics.js';
import type { Tracing } from '../../src/observability/tracing.js';
import { composeApi, composeGpu, composeOrchestration, composeWebhooks, payloadKeyring, webhookSecrets } from '../../src/runtime/compose.js';
import { createGpuWorker, createOrchestrationWorkers, createWorkflowWorker } from '../../src/runtime/workers.js';
import type { BlobStore } from '../../src/storage/blob-store.js';
import { LocalBlobStore } from '../../src/storage/local-blob-store.js';
import { SessionWorkflows } from '../../src/temporal/client.js';
import { connectWorker } from '../../src/temporal/connection.js';
import { newTenantWithKey } from '../tenants.js';

export interface InProcessStackOptions {
  databaseUrl: string;
  temporalAddress: string;
  workflowBundlePath: string;
  config: AppConfig;
  pipeline: FaceComparer;
  logger: Logger;
  uploadTimeoutMs?: number;
  /** Blob storage for API and GPU worker alike; a local folder by default. */
  blobStore?: BlobStore;
  /** The stack tenant's completion webhook. */
  webhookUrl?: string;
  /** The stack tenant's own liveness modes; unset, the service defaults apply. */
  liveness?: Partial<LivenessPolicy>;
  /** The process's tracing, for the workers (the API and client use the registered provider). */
  tracing?: Tracing;
  /** Wraps the blob store the GPU activity reads through (fault injection). */
  gpuBlobs?: (blobs: BlobStore) => BlobStore;
  /** Whether the stack runs its own GPU worker (false: a test brings its own, or none). */
  gpuWorker?: boolean;
  /** The orchestration worker's Worker Deployment version (Worker Versioning on); unset: unversioned. */
  deployment?: WorkerDeploymentVersion;
}

export interface InProcessStack {
  baseUrl: string;
  /** A live API key of the stack's own tenant. */
  apiKey: string;
  /** Signing secret of the tenant's webhook, when it has one. */
  webhookSecret?: string;
  blobDir: string;
  /** The API's blob store. */
  blobs: BlobStore;
  /** This stack's own task queues. */
  queues: { orchestration: string; gpu: string; webhooks: string };
  tenantId: string;
  db: Db;
  workflows: SessionWorkflows;
  /** This stack's metrics (one registry for its API and workers, as one process would have). */
  metrics: ServiceMetrics;
  outcome(sessionId: string): Promise<FaceSimilarityOutcome>;
  /** Shuts every worker down (in-flight tasks finish) and starts new ones: a deploy or a crash-restart, with no cached workflow state. */
  restartWorkers(): Promise<void>;
  /** Another workflow worker on the stack's queue as another deployment version (a rollout's new build); resolves to its stop. */
  startWorkflowWorker(deployment: WorkerDeploymentVersion): Promise<() => Promise<void>>;
  stop(): Promise<void>;
}

/**
 * The whole service in one process on a real Temporal server and database, built by the same
 * composition roots the worker processes use (src/runtime/compose.ts): the API on a free port and
 * both workers on task queues of their own, so concurrent users never share work.
 */
export async function startInProcessStack(options: InProcessStackOptions): Promise<InProcessStack> {
  const { logger } = options;
  const db = createDb(options.databaseUrl);
  const blobDir = await mkdtemp(path.join(tmpdir(), 'kyc-blobs-'));
  const blobs = options.blobStore ?? new LocalBlobStore(blobDir);
  const suffix = randomUUID().slice(0, 8);
  const queues = { orchestration: `kyc-orchestration-${suffix}`, gpu: `face-similarity-gpu-${suffix}`, webhooks: `kyc-webhooks-${suffix}` };
  const config: AppConfig = { ...options.config, temporal: { ...options.config.temporal, address: options.temporalAddress, orchestrationTaskQueue: queues.orchestration, gpuTaskQueue: queues.gpu, webhookTaskQueue: queues.webhooks, uploadTimeoutMs: options.uploadTimeoutMs ?? options.config.temporal.uploadTimeoutMs } };
  const metrics = createMetrics();
  const payloadKeys = payloadKeyring(config);
  const onRefusedPayload = () => metrics.refusedPayloads.inc();
  const workflows = await SessionWorkflows.connect({ ...config.temporal, payloadKeys, onRefusedPayload });
  const adapters = { config, db, blobs, logger, metrics };

  const connection = await connectWorker(config.temporal);
  const temporal = { connection, namespace: config.temporal.namespace, payloadKeys, onRefusedPayload, ...(options.tracing ? { tracing: options.tracing } : {}) };
  const makeWorkers = async (): Promise<Worker[]> => [
    ...(await createOrchestrationWorkers(temporal, {
      taskQueue: queues.orchestration,
      webhookTaskQueue: queues.webhooks,
      workflowBundlePath: options.workflowBundlePath,
      activities: composeOrchestration({ ...adapters, workflows }),
      webhookActivities: composeWebhooks(adapters),
      ...(options.deployment ? { deployment: options.deployment } : {}),
    })),
    ...(options.gpuWorker === false
      ? []
      : [
          await createGpuWorker(temporal, {
            taskQueue: queues.gpu,
            concurrency: 1,
            activities: composeGpu({ ...adapters, blobs: options.gpuBlobs ? options.gpuBlobs(blobs) : blobs, pipeline: options.pipeline }),
          }),
        ]),
  ];
  let workers = await makeWorkers();
  let running = workers.map((w) => w.run());

  const app = await buildApp(composeApi({ ...adapters, workflows }));
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const { tenantId, apiKey, webhookSecret } = await newTenantWithKey(db, 'stack', options.webhookUrl, webhookSecrets(config));
  if (options.liveness) await new TenantStore(db).setLivenessModes(tenantId, options.liveness);

  return {
    baseUrl,
    apiKey,
    webhookSecret,
    blobDir,
    blobs,
    queues,
    tenantId,
    db,
    workflows,
    metrics,
    outcome: (sessionId) => workflows.client.workflow.getHandle(workflowIdFor(sessionId)).result(),
    async restartWorkers() {
      for (const w of workers) w.shutdown();
      await Promise.all(running);
      workers = await makeWorkers();
      running = workers.map((w) => w.run());
    },
    async startWorkflowWorker(deployment) {
      const worker = await createWorkflowWorker(temporal, {
        taskQueue: queues.orchestration,
        workflowBundlePath: options.workflowBundlePath,
        activities: composeOrchestration({ ...adapters, workflows }),
        webhookActivities: composeWebhooks(adapters),
        deployment,
      });
      const run = worker.run();
      return async () => {
        worker.shutdown();
        await run;
      };
    },
    async stop() {
      await app.close();
      for (const w of workers) w.shutdown();
      await Promise.all(running);
      await workflows.close();
      await connection.close();
      await db.$disconnect();
      await rm(blobDir, { recursive: true, force: true });
    },
  };
}
