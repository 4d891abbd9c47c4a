import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NativeConnection, Runtime, makeTelemetryFilterString, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { workflowIdFor, type FaceSimilarityOutcome } from '../../src/contract/face-similarity.js';
import { ComparisonStore } from '../../src/db/comparison-store.js';
import { createDb, type Db } from '../../src/db/prisma.js';
import { SessionStore } from '../../src/db/session-store.js';
import type { FaceComparer } from '../../src/face/pipeline.js';
import { createGpuWorker, createOrchestrationWorker } from '../../src/runtime/workers.js';
import { LocalBlobStore } from '../../src/storage/local-blob-store.js';
import { SessionWorkflows } from '../../src/temporal/client.js';
import { quietLogger, sharedPipeline, testConfig } from './face-pipeline.js';

export interface TestStack {
  baseUrl: string;
  db: Db;
  workflows: SessionWorkflows;
  outcome(sessionId: string): Promise<FaceSimilarityOutcome>;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/**
 * The whole service in this process on the real Temporal server and database: API on a free
 * port, orchestration and GPU workers on task queues of their own, so test files never share work.
 */
export async function startTestStack(options: { uploadTimeoutMs?: number; pipeline?: FaceComparer } = {}): Promise<TestStack> {
  if (!runtimeInstalled) {
    Runtime.install({ telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } }, logger: silentSdkLogger });
    runtimeInstalled = true;
  }
  const config = testConfig();
  const logger = quietLogger();
  const db = createDb(inject('databaseUrl'));
  const blobDir = await mkdtemp(path.join(tmpdir(), 'kyc-blobs-'));
  const blobs = new LocalBlobStore(blobDir);
  const suffix = randomUUID().slice(0, 8);
  const queues = { orchestration: `kyc-orchestration-${suffix}`, gpu: `face-similarity-gpu-${suffix}` };
  const address = inject('temporalAddress');

  const connection = await NativeConnection.connect({ address });
  const temporal = { connection, namespace: 'default' };
  const workers: Worker[] = [
    await createOrchestrationWorker(temporal, {
      taskQueue: queues.orchestration,
      workflowBundlePath: inject('workflowBundlePath'),
      sessions: new SessionStore(db),
    }),
    await createGpuWorker(temporal, {
      taskQueue: queues.gpu,
      concurrency: 1,
      comparisons: new ComparisonStore(db),
      blobs,
      pipeline: options.pipeline ?? (await sharedPipeline()),
      leaseMs: config.gpuWorker.leaseMs,
      logger,
    }),
  ];
  const running = workers.map((w) => w.run());

  const workflows = await SessionWorkflows.connect({
    address,
    namespace: 'default',
    orchestrationTaskQueue: queues.orchestration,
    gpuTaskQueue: queues.gpu,
    uploadTimeoutMs: options.uploadTimeoutMs ?? config.temporal.uploadTimeoutMs,
  });
  const app = await buildApp({ logger, sessions: new SessionStore(db), blobs, workflows, maxBytes: config.api.maxBytes });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });

  return {
    baseUrl,
    db,
    workflows,
    outcome: (sessionId) => workflows.client.workflow.getHandle(workflowIdFor(sessionId)).result(),
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

const noop = () => undefined;
const silentSdkLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
