import { pino, type Logger } from 'pino';

/** Wherever a request's headers appear in a log line, its credentials do not. */
export const REDACT_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.authorization'];

/** One logger per process; credentials are never written, and no code logs request bodies. */
export function createLogger(level: string, name: string): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}
