// Process entry: the public REST API, its metrics listener and (with payload keys) the codec listener.
import type { Logger } from 'pino';
import { buildApp } from '../src/api/app.js';
import { buildCodecApp } from '../src/api/codec-app.js';
import { loadConfig } from '../src/config/config.js';
import { assertSandboxAvailable } from '../src/media/decoder-process.js';
import { OperatorTokenStore } from '../src/db/operator-token-store.js';
import { createDb } from '../src/db/prisma.js';
import { SessionStore } from '../src/db/session-store.js';
import { createLogger } from '../src/logging.js';
import { createMetrics, serveMetrics } from '../src/observability/metrics.js';
import { installTracing } from '../src/observability/tracing.js';
import { composeApi, payloadKeyring } from '../src/runtime/compose.js';
import { scavengeAsBuffersArrive } from '../src/runtime/gc-tuning.js';
import { runMain, shutdownSignal } from '../src/runtime/main.js';
import { withToolDefaults } from '../src/runtime/tools.js';
import { createBlobStore } from '../src/storage/create-blob-store.js';
import { startOrphanBlobSweep } from '../src/storage/orphan-sweep.js';
import { SessionWorkflows } from '../src/temporal/client.js';
import { AesGcmPayloadCodec } from '../src/temporal/payload-codec.js';

let logger: Logger | undefined;

const stopScavenging = scavengeAsBuffersArrive();

runMain('api', async () => {
  // Listening before the handler exists would let a SIGTERM right after "Server listening" kill
  // the process with in-flight uploads instead of draining them.
  const stopRequested = shutdownSignal();
  const config = loadConfig(withToolDefaults(process.env), 'api');
  // Refused at boot, not at the first upload: a sandbox this machine cannot make.
  assertSandboxAvailable(config.api.media.decoder);
  const tracing = installTracing('kyc-api', config.tracing);
  logger = createLogger({ level: config.logLevel, format: config.logFormat, name: 'api' });
  const metrics = createMetrics();
  const db = createDb(config.database.url);
  const payloadKeys = payloadKeyring(config);
  const workflows = await SessionWorkflows.connect({ ...config.temporal, payloadKeys, onRefusedPayload: () => metrics.refusedPayloads.inc() });
  const blobs = createBlobStore(config.storage);
  const app = await buildApp(composeApi({ config, db, blobs, logger, metrics, workflows }));
  await app.listen({ host: config.api.host, port: config.api.port });
  const metricsServer = config.metrics.port > 0 ? await serveMetrics(metrics.registry, config.metrics.port, config.metrics.host) : undefined;
  const codec =
    config.api.codec.port > 0 && payloadKeys.enabled
      ? await buildCodecApp({
          // Display only: histories from before encryption still show.
          codec: new AesGcmPayloadCodec(payloadKeys, { acceptPlaintext: true }),
          allowedOrigins: config.api.codec.allowedOrigins,
          operators: config.development ? 'open' : (token) => new OperatorTokenStore(db).authenticate(token),
          logger: logger.child({ listener: 'codec' }),
        })
      : undefined;
  await codec?.listen({ host: config.api.codec.host, port: config.api.codec.port });
  const sessions = new SessionStore(db);
  const stopSweep = startOrphanBlobSweep(
    { blobs, referenced: (keys) => sessions.referencedKeys(keys), graceMs: config.api.orphanSweep.graceMs },
    logger,
    config.api.orphanSweep.everyMs,
  );

  const signal = await stopRequested;
  logger.info({ signal }, 'shutting down: finishing in-flight requests');
  stopSweep();
  stopScavenging();
  await Promise.all([app.close(), codec?.close()]);
  metricsServer?.close();
  await Promise.all([workflows.close(), db.$disconnect()]);
  await tracing?.shutdown();
}, () => logger);
