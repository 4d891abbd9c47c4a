import type { Logger } from 'pino';
import type { OnnxRunner } from './onnx-runner.js';

/**
 * How many faces go through a model in one run, for every model here: as many as asked where the
 * model takes batches, one otherwise. A comparison's own faces run together (on a CPU a run of
 * several costs less per face than one each, about 3 against 4 ms for the embedder), and on CUDA
 * the embedder also gathers faces of concurrent comparisons (cross-comparison batching).
 */
export const MAX_FACES_PER_RUN = 16;

export function facesPerRun(runner: OnnxRunner, wanted = MAX_FACES_PER_RUN): number {
  return runner.takesBatches ? Math.max(1, wanted) : 1;
}

export interface CrossComparisonBatching {
  /** Faces per model run at most. */
  maxBatch: number;
  /** How long the first face of a batch waits for others. */
  maxWaitMs: number;
}

/**
 * Whether the embedder batches across concurrent comparisons: EMBED_BATCH_SIZE, or by default on
 * CUDA (16) where a batch costs about what one face does, never on a CPU where it saves little.
 */
export function crossComparisonBatching(runner: OnnxRunner, configured: { size: number; waitMs: number }, logger: Logger): CrossComparisonBatching | undefined {
  const size = configured.size || (runner.provider === 'cuda' ? MAX_FACES_PER_RUN : 1);
  if (size <= 1) return undefined;
  if (!runner.takesBatches) {
    logger.warn({ model: runner.id, batchSize: size }, 'the embedder has a fixed batch size; embedding one face per run');
    return undefined;
  }
  logger.info({ maxBatch: size, maxWaitMs: configured.waitMs }, 'embedding in batches across concurrent comparisons');
  return { maxBatch: size, maxWaitMs: configured.waitMs };
}
