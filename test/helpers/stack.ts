import { inject } from 'vitest';
import { LIVENESS_REPORT_ONLY } from '../../src/contract/face-similarity.js';
import { startInProcessStack, type InProcessStack, type InProcessStackOptions } from '../../dev/stack/in-process-stack.js';
import { quietLogger, sharedPipeline, testConfig } from '../../dev/face-pipeline.js';
import { installQuietTemporalRuntime } from '../../dev/temporal-runtime.js';

export type TestStack = InProcessStack;

/**
 * The whole service in this process, on the suite's Temporal server and database. Its tenant
 * reports liveness instead of enforcing it unless `liveness` says otherwise: most tests are about
 * orchestration and use videos made from still photos, which enforced liveness rightly rejects.
 */
export async function startTestStack(
  options: Partial<Pick<InProcessStackOptions, 'uploadTimeoutMs' | 'pipeline' | 'gpuBlobs' | 'webhookUrl' | 'blobStore' | 'liveness' | 'tracing' | 'gpuWorker' | 'deployment'>> & {
    env?: Record<string, string>;
  } = {},
): Promise<TestStack> {
  installQuietTemporalRuntime();
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
