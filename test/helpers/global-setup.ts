// One real Temporal dev server and one real PostgreSQL for all integration tests, migrated,
// with the workflow bundle built once. TEST_DATABASE_URL points at an existing database instead.
import type { TestProject } from 'vitest/node';
import { startEphemeralInfra } from '../../dev/stack/ephemeral-infra.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const infra = await startEphemeralInfra({ databaseUrl: process.env.TEST_DATABASE_URL });
  project.provide('databaseUrl', infra.databaseUrl);
  project.provide('temporalAddress', infra.temporalAddress);
  project.provide('workflowBundlePath', infra.workflowBundlePath);
  return infra.stop;
}
