import * as ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export type ExecutionProviderChoice = 'auto' | 'cpu' | 'cuda';

export interface ModelFile {
  id: string;
  path: string;
  sha256: string;
}

export interface LoadedModel {
  id: string;
  session: ort.InferenceSession;
  /** The provider the session actually runs on. */
  provider: 'cuda' | 'cpu';
}

export class ModelIntegrityError extends Error {
  constructor(model: ModelFile, actual: string) {
    super(`Model "${model.id}" at ${model.path} has sha256 ${actual}, expected ${model.sha256}; refusing to load it`);
    this.name = 'ModelIntegrityError';
  }
}

/**
 * Why CUDA could not be loaded in this process, once it failed: the next models go straight to the
 * CPU, and a CPU-only machine gets one readable line instead of a native stack trace per model.
 */
let cudaUnavailable: string | undefined;

/**
 * Verifies the file's checksum, then opens an inference session on the requested provider.
 * `auto` and `cuda` fall back to CPU with a warning when CUDA cannot be loaded, so one image
 * runs on GPU and CPU-only hosts alike.
 */
export async function loadModel(
  model: ModelFile,
  options: {
    provider: ExecutionProviderChoice;
    intraOpThreads: number;
    logger: Logger;
    /** Edits the verified bytes before the session is made (model-variants.ts); the file stays as it is. */
    transform?: (bytes: Uint8Array) => Uint8Array;
  },
): Promise<LoadedModel> {
  let file: Uint8Array;
  try {
    file = new Uint8Array(await readFile(model.path));
  } catch (err) {
    throw new Error(`Model "${model.id}" not found at ${model.path} (run \`npm run models:fetch\`): ${(err as Error).message}`);
  }
  // The bytes that are hashed are the bytes that run: no window for the file to change between.
  const actual = createHash('sha256').update(file).digest('hex');
  if (actual !== model.sha256) throw new ModelIntegrityError(model, actual);
  const bytes = options.transform ? options.transform(file) : file;

  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    ...(options.intraOpThreads > 0 ? { intraOpNumThreads: options.intraOpThreads } : {}),
    // Pool threads spin for at most 100 µs after an operator, then sleep. Unbounded spinning kept
    // both cores of a small machine busy between runs, starving ffmpeg and the event loop (5913 ms
    // a bench:pipeline pass against 3459 ms not spinning); never spinning makes every one of
    // YuNet's ~100 operators wake a sleeping thread (640×384 alone: 4.4 ms a run, 10.4 ms of CPU
    // per run and 3 ms of other work; bounded: 3.5 ms and 9.8 ms; the pass 1745 → 1660 ms).
    extra: { session: { 'intra_op.allow_spinning': '1', 'intra_op.spin_duration_us': '100', 'inter_op.allow_spinning': '0' } },
  };
  if (options.provider !== 'cpu') {
    const firstFailure = cudaUnavailable === undefined;
    if (firstFailure) {
      // onnxruntime prints a failed provider library load itself, in red and unstructured, before
      // it throws; the reason reaches our log below, so its own printing is kept to fatal errors.
      ort.env.logLevel = 'fatal';
      try {
        const session = await ort.InferenceSession.create(bytes, { ...base, executionProviders: ['cuda'] });
        options.logger.info({ model: model.id, provider: 'cuda' }, 'model loaded');
        return { id: model.id, session, provider: 'cuda' };
      } catch (err) {
        cudaUnavailable = (err as Error).message;
      }
    }
    const line = { model: model.id, requested: options.provider, reason: cudaUnavailable };
    // Asked for by name, CUDA missing is a deployment fault, said for every model; on `auto` a
    // CPU-only host is the expected case, said once.
    if (options.provider === 'cuda') options.logger.warn(line, 'CUDA requested but unavailable; inference runs on CPU');
    else if (firstFailure) options.logger.info(line, 'no CUDA on this machine; inference runs on CPU');
  }
  const session = await ort.InferenceSession.create(bytes, { ...base, executionProviders: ['cpu'] });
  options.logger.info({ model: model.id, provider: 'cpu' }, 'model loaded');
  return { id: model.id, session, provider: 'cpu' };
}
