import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { FacePipeline } from '../../src/face/pipeline.js';
import { MODELS_DIR } from './paths.js';

export const testConfig = (env: Record<string, string> = {}) => loadConfig({ MODELS_DIR, LOG_LEVEL: 'warn', ...env });
export const quietLogger = () => pino({ level: 'warn' });

let shared: Promise<FacePipeline> | undefined;

/** The real pipeline on the real models, loaded once per test process as a worker would. */
export function sharedPipeline(): Promise<FacePipeline> {
  shared ??= FacePipeline.load(testConfig({ EXECUTION_PROVIDER: 'cpu' }).face, quietLogger());
  return shared;
}
