import * as ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import { sha256OfFile } from '../../storage/file-digest.js';

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
 * Verifies the file's checksum, then opens an inference session on the requested provider.
 * `auto` and `cuda` fall back to CPU with a warning when CUDA cannot be loaded, so one image
 * runs on GPU and CPU-only hosts alike.
 */
export async function loadModel(
  model: ModelFile,
  options: { provider: ExecutionProviderChoice; intraOpThreads: number; logger: Logger },
): Promise<LoadedModel> {
  let actual: string;
  try {
    actual = await sha256OfFile(model.path);
  } catch (err) {
    throw new Error(`Model "${model.id}" not found at ${model.path} (run \`npm run models:fetch\`): ${(err as Error).message}`);
  }
  if (actual !== model.sha256) throw new ModelIntegrityError(model, actual);

  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    ...(options.intraOpThreads > 0 ? { intraOpNumThreads: options.intraOpThreads } : {}),
  };
  if (options.provider !== 'cpu') {
    try {
      const session = await ort.InferenceSession.create(model.path, { ...base, executionProviders: ['cuda'] });
      options.logger.info({ model: model.id, provider: 'cuda' }, 'model loaded');
      return { id: model.id, session, provider: 'cuda' };
    } catch (err) {
      options.logger.warn(
        { model: model.id, requested: options.provider, err: (err as Error).message },
        'CUDA execution provider unavailable; FALLING BACK TO CPU',
      );
    }
  }
  const session = await ort.InferenceSession.create(model.path, { ...base, executionProviders: ['cpu'] });
  options.logger.info({ model: model.id, provider: 'cpu' }, 'model loaded');
  return { id: model.id, session, provider: 'cpu' };
}
