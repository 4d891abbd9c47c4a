import { pino } from 'pino';
import { loadConfig } from '../src/config/config.js';
import { FacePipeline } from '../src/face/pipeline.js';
import { bundledFfmpeg } from '../src/runtime/tools.js';
import { MODELS_DIR } from './paths.js';
import { TEST_PAYLOAD_KEYS, TEST_VERDICT_PUBLIC_KEYS, TEST_VERDICT_SIGNING_KEY, TEST_WEBHOOK_SECRET_KEYS } from './test-keys.js';

/** The development configuration tests, benchmarks and tools run with: every key set, to the public test keys. */
export const testConfig = (env: Record<string, string> = {}) =>
  loadConfig({
    KYC_ENV: 'development',
    MODELS_DIR,
    LOG_LEVEL: 'warn',
    PATH: process.env.PATH,
    FFMPEG_PATH: bundledFfmpeg(),
    CLIENT_TOKEN_SECRET: 'test-only-client-token-secret-0123456789',
    TEMPORAL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    WEBHOOK_SECRET_KEYS: TEST_WEBHOOK_SECRET_KEYS,
    VERDICT_SIGNING_KEY: TEST_VERDICT_SIGNING_KEY,
    VERDICT_PUBLIC_KEYS: TEST_VERDICT_PUBLIC_KEYS,
    ...env,
  });
export const quietLogger = () => pino({ level: 'warn' });

/**
 * Liveness computed and reported, never rejecting: the service default for tests of face matching
 * itself, whose videos are made from still photos. Liveness tests pass their policy explicitly.
 */
export const LIVENESS_REPORT_ENV = {
  LIVENESS_MOTION: 'report',
  LIVENESS_PARALLAX: 'report',
  LIVENESS_ANTI_SPOOF: 'report',
  LIVENESS_DOCUMENT_REPLAY: 'report',
  LIVENESS_CHALLENGE: 'off',
};

let shared: Promise<FacePipeline> | undefined;

/** The real pipeline on the real models, loaded once per test process as a worker would. */
export function sharedPipeline(): Promise<FacePipeline> {
  shared ??= FacePipeline.load(testConfig({ EXECUTION_PROVIDER: 'cpu', ...LIVENESS_REPORT_ENV }).face, quietLogger());
  return shared;
}
