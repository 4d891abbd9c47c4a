// Process entry: the public REST API.
import type { Logger } from 'pino';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config/config.js';
import { installTracing } from '../src/observability/tracing.js';
import { createDb } from '../src/db/prisma.js';
import { createLogger } from '../src/logging.js';
import { apiDeps } from '../src/runtime/api-deps.js';
import { runMain, shutdownSignal } from '../src/runtime/main.js';
import { createBlobStore } from '../src/storage/create-blob-store.js';
import { tuneGcForStreaming } from '../src/runtime/gc-tuning.js';
import { startOrphanBlobSweep } from '../src/storage/orphan-sweep.js';
import { SessionStore } from '../src/db/session-store.js';
import { SessionWorkflows } from '../src/temporal/client.js';

let logger: Logger | undefined;

tuneGcForStreaming();

runMain('api', async () => {
  // Listening before the handler exists would let a SIGTERM right after "Server listening" kill
  // the process with in-flight uploads instead of draining them.
  const stopRequested = shutdownSignal();
  const config = loadConfig();
  const tracing = installTracing('kyc-api', config.tracing);
  logger = createLogger({ level: config.logLevel, format: config.logFormat, name: 'api' });
  const db = createDb(config.database.url);
  const workflows = await SessionWorkflows.connect(config.temporal);
  const deps = apiDeps(config, { db, blobs: createBlobStore(config), workflows, logger });
  const app = await buildApp(deps);
  await app.listen({ host: config.api.host, port: config.api.port });
  const sessions = new SessionStore(db);
  const stopSweep = startOrphanBlobSweep(
    { blobs: deps.blobs, referenced: (keys) => sessions.referencedKeys(keys), graceMs: config.api.orphanSweep.graceMs },
    logger,
    config.api.orphanSweep.everyMs,
  );

  const signal = await stopRequested;
  logger.info({ signal }, 'shutting down: finishing in-flight requests');
  stopSweep();
  await app.close();
  await Promise.all([workflows.close(), db.$disconnect()]);
  await tracing?.shutdown();
}, () => logger);
