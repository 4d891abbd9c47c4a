// Process entry: the face comparison on the GPU task queue (CUDA when available, else CPU).
import { NativeConnection } from '@temporalio/worker';
import { installWorkerTelemetry } from '../src/runtime/worker-telemetry.js';
import { installTracing } from '../src/observability/tracing.js';
import type { Logger } from 'pino';
import { loadConfig } from '../src/config/config.js';
import { ComparisonStore } from '../src/db/comparison-store.js';
import { createDb } from '../src/db/prisma.js';
import { SessionStore } from '../src/db/session-store.js';
import { FacePipeline } from '../src/face/pipeline.js';
import { createLogger } from '../src/logging.js';
import { runMain } from '../src/runtime/main.js';
import { createGpuWorker } from '../src/runtime/workers.js';
import { tuneGcForFrameAnalysis } from '../src/runtime/gc-tuning.js';
import { createBlobStore } from '../src/storage/create-blob-store.js';

let logger: Logger | undefined;

tuneGcForFrameAnalysis();

runMain('gpu-worker', async () => {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, format: config.logFormat, name: 'gpu-worker' });
  logger = log;
  const tracing = installTracing('kyc-gpu-worker', config.tracing);
  await installWorkerTelemetry(config.metricsPort, log);
  const pipeline = await FacePipeline.load(config.face, log);
  log.info({ provider: pipeline.executionProvider, fingerprint: pipeline.fingerprint }, 'face pipeline ready');
  const db = createDb(config.database.url);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const worker = await createGpuWorker(
      { connection, namespace: config.temporal.namespace, payloadKeys: config.temporal.payloadKeys, ...(tracing ? { tracing } : {}) },
      {
        taskQueue: config.temporal.gpuTaskQueue,
        concurrency: config.gpuWorker.concurrency,
        comparisons: new ComparisonStore(db),
        sessions: new SessionStore(db),
        blobs: createBlobStore(config),
        pipeline,
        leaseMs: config.gpuWorker.leaseMs,
        tenantConcurrency: config.gpuWorker.tenantConcurrency,
        logger: log,
      },
    );
    log.info({ taskQueue: config.temporal.gpuTaskQueue, concurrency: config.gpuWorker.concurrency }, 'gpu worker running');
    await worker.run();
  } finally {
    await pipeline.close();
    await tracing?.shutdown();
    await connection.close();
    await db.$disconnect();
  }
}, () => logger);
