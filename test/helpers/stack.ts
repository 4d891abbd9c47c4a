import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { inject } from 'vitest';
import { LIVENESS_REPORT_ONLY } from '../../src/contract/face-similarity.js';
import { startInProcessStack, type InProcessStack, type InProcessStackOptions } from '../../dev/stack/in-process-stack.js';
import { quietLogger, sharedPipeline, testConfig } from '../../dev/face-pipeline.js';

export type TestStack = InProcessStack;

let runtimeInstalled = false;

/**
 * The whole service in this process, on the suite's Temporal server and database. Its tenant
 * reports liveness instead of enforcing it unless `liveness` says otherwise: most tests are about
 * orchestration and use videos made from still photos, which enforced liveness rightly rejects.
 */
export async function startTestStack(
  options: Partial<Pick<InProcessStackOptions, 'uploadTimeoutMs' | 'pipeline' | 'gpuBlobs' | 'webhookUrl' | 'blobStore' | 'liveness'>> & {
    env?: Record<string, string>;
  } = {},
): Promise<TestStack> {
  if (!runtimeInstalled) {
    Runtime.install({ telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } }, logger: silentSdkLogger });
    runtimeInstalled = true;
  }
  return startInProcessStack({
    databaseUrl: inject('databaseUrl'),
    temporalAddress: inject('temporalAddress'),
    workflowBundlePath: inject('workflowBundlePath'),
    config: testConfig(options.env),
    logger: quietLogger(),
    ...options,
    liveness: options.liveness ?? LIVENESS_REPORT_ONLY,
    pipeline: options.pipeline ?? (await sharedPipeline()),
  });
}

const noop = () => undefined;
const silentSdkLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
