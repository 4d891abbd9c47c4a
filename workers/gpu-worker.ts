// Process entry: the face comparison on the GPU task queue (CUDA when available, else CPU).
import type { Logger } from 'pino';
import { loadConfig } from '../src/config/config.js';
import { assertSandboxAvailable } from '../src/media/decoder-process.js';
import { createDb } from '../src/db/prisma.js';
import { FacePipeline } from '../src/face/pipeline.js';
import { createLogger } from '../src/logging.js';
import { createMetrics } from '../src/observability/metrics.js';
import { installTracing } from '../src/observability/tracing.js';
import { composeGpu, payloadKeyring } from '../src/runtime/compose.js';
import { tuneGcForFrameAnalysis } from '../src/runtime/gc-tuning.js';
import { runMain } from '../src/runtime/main.js';
import { withToolDefaults } from '../src/runtime/tools.js';
import { installWorkerTelemetry } from '../src/runtime/worker-telemetry.js';
import { createGpuWorker } from '../src/runtime/workers.js';
import { createBlobStore } from '../src/storage/create-blob-store.js';
import { connectWorker } from '../src/temporal/connection.js';

let logger: Logger | undefined;

tuneGcForFrameAnalysis();

runMain('gpu-worker', async () => {
  const config = loadConfig(withToolDefaults(process.env), 'gpu-worker');
  const log = createLogger({ level: config.logLevel, format: config.logFormat, name: 'gpu-worker' });
  logger = log;
  // Refused at boot, not at the first comparison: a sandbox this machine cannot make.
  assertSandboxAvailable(config.face.decoder);
  const tracing = installTracing('kyc-gpu-worker', config.tracing);
  const metrics = createMetrics();
  await installWorkerTelemetry(config.metrics, metrics.registry, log);
  const pipeline = await FacePipeline.load(config.face, log);
  log.info({ provider: pipeline.executionProvider, fingerprint: pipeline.fingerprint }, 'face pipeline ready');
  const db = createDb(config.database.url);
  const connection = await connectWorker(config.temporal);
  try {
    const worker = await createGpuWorker(
      { connection, namespace: config.temporal.namespace, payloadKeys: payloadKeyring(config), acceptPlaintextPayloads: config.temporal.acceptPlaintextPayloads, onRefusedPayload: () => metrics.refusedPayloads.inc(), ...(tracing ? { tracing } : {}) },
      {
        taskQueue: config.temporal.gpuTaskQueue,
        concurrency: config.gpuWorker.concurrency,
        activities: composeGpu({ config, db, blobs: createBlobStore(config.storage), logger: log, metrics, pipeline }),
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
