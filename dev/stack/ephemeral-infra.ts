import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../src/contract/face-similarity.js';
import { applyMigrations } from '../../src/db/migrator.js';
import { writeWorkflowBundle } from '../../src/runtime/workflow-bundle.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { loadConfig } from '../../src/config/config.js';
import { REPO_ROOT } from '../../src/runtime/app-root.js';
import { FAIRNESS, findTemporalCli, startTemporalDevServer } from './temporal-dev-server.js';

export interface EphemeralInfra {
  databaseUrl: string;
  temporalAddress: string;
  workflowBundlePath: string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose next one is free too: a worker's METRICS_PORT, the Temporal SDK's metrics on the next. */
export async function freePortWithNext(): Promise<number> {
  let port = await freePort();
  while (!(await portFree(port + 1))) port = await freePort();
  return port;
}

/**
 * A throwaway in-memory Temporal dev server, a migrated PostgreSQL (embedded, or `databaseUrl`
 * when given) and the workflow bundle, all on free ports in a temp folder; for tests and the
 * history recorder. Whatever started is stopped again if anything fails.
 */
export async function startEphemeralInfra(options: { databaseUrl?: string } = {}): Promise<EphemeralInfra> {
  const tmp = await mkdtemp(path.join(tmpdir(), 'kyc-infra-'));
  // As root, PostgreSQL runs as its own user, which must be able to enter this folder.
  await chmod(tmp, 0o755);
  const cliPath = findTemporalCli(loadConfig().temporal.cliPath, REPO_ROOT);
  if (!cliPath) throw new Error('Temporal CLI not found: run `npm run temporal:cli`');

  const [db, temporal, bundle] = await Promise.allSettled([
    options.databaseUrl
      ? Promise.resolve({ url: options.databaseUrl, stop: async () => undefined })
      : freePort().then((port) => startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port, database: 'kyc_test' })),
    // One partition per task queue: dispatch order, which the fairness test watches, is then the server's choice alone.
    freePort().then((port) =>
      startTemporalDevServer({
        cliPath,
        port,
        namespace: 'default',
        searchAttributes: SEARCH_ATTRIBUTES,
        dynamicConfig: { ...FAIRNESS, 'matching.numTaskqueueReadPartitions': 1, 'matching.numTaskqueueWritePartitions': 1 },
      }),
    ),
    writeWorkflowBundle(path.join(tmp, 'workflow-bundle.js')),
  ]);
  const stop = async () => {
    if (temporal.status === 'fulfilled') await temporal.value.stop();
    if (db.status === 'fulfilled') await db.value.stop();
    await rm(tmp, { recursive: true, force: true });
  };
  try {
    for (const result of [db, temporal, bundle]) if (result.status === 'rejected') throw result.reason;
    if (db.status !== 'fulfilled' || temporal.status !== 'fulfilled' || bundle.status !== 'fulfilled') throw new Error('unreachable');
    await applyMigrations(db.value.url, path.join(REPO_ROOT, 'prisma', 'migrations'));
    return { databaseUrl: db.value.url, temporalAddress: temporal.value.address, workflowBundlePath: bundle.value, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
