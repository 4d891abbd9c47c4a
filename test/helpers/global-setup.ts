// Starts one real Temporal dev server and one real PostgreSQL for the integration tests,
// applies the migrations and builds the workflow bundle once.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../../src/db/migrator.js';
import { startEmbeddedPostgres } from '../../src/devstack/embedded-postgres.js';
import { REPO_ROOT } from '../../src/devstack/paths.js';
import { findTemporalCli, startTemporalDevServer } from '../../src/devstack/temporal-dev-server.js';
import { writeWorkflowBundle } from '../../src/runtime/workflow-bundle.js';
import { MIGRATIONS_DIR } from './paths.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export default async function setup(project: TestProject) {
  const tmp = await mkdtemp(path.join(tmpdir(), 'kyc-it-'));
  // As root, PostgreSQL runs as its own user, which must be able to enter this folder.
  await chmod(tmp, 0o755);
  const cliPath = findTemporalCli(process.env.TEMPORAL_CLI_PATH, REPO_ROOT);
  if (!cliPath) throw new Error('Temporal CLI not found: run `npm run temporal:cli` (npm test does it for you)');

  const started = await Promise.allSettled([
    process.env.TEST_DATABASE_URL
      ? Promise.resolve({ url: process.env.TEST_DATABASE_URL, stop: async () => undefined })
      : freePort().then((port) => startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port, database: 'kyc_test' })),
    freePort().then((port) => startTemporalDevServer({ cliPath, port, namespace: 'default' })),
    writeWorkflowBundle(path.join(tmp, 'workflow-bundle.js')),
  ]);
  const [dbResult, temporalResult, bundleResult] = started;
  const teardown = async () => {
    if (temporalResult.status === 'fulfilled') await temporalResult.value.stop();
    if (dbResult.status === 'fulfilled') await dbResult.value.stop();
    await rm(tmp, { recursive: true, force: true });
  };
  const failed = started.find((r) => r.status === 'rejected');
  if (failed || dbResult.status !== 'fulfilled' || temporalResult.status !== 'fulfilled' || bundleResult.status !== 'fulfilled') {
    await teardown();
    throw failed?.reason ?? new Error('test infrastructure did not start');
  }
  const db = dbResult.value;
  const temporal = temporalResult.value;
  const bundle = bundleResult.value;
  try {
    await applyMigrations(db.url, MIGRATIONS_DIR);
  } catch (err) {
    await teardown();
    throw err;
  }

  project.provide('databaseUrl', db.url);
  project.provide('temporalAddress', temporal.address);
  project.provide('workflowBundlePath', bundle);

  return teardown;
}
