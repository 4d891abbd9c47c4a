import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Wherever a request's headers appear in a log line, its credentials do not: at the top, one or
 * two levels down (Fastify's `req`, @fastify/multipart's `busboyOptions` at trace level).
 */
export const REDACT_PATHS = ['authorization', 'cookie', 'x-api-key'].flatMap((header) => [
  `headers.${header}`,
  `*.headers.${header}`,
  `*.*.headers.${header}`,
  `*.${header}`,
]);

export type LogFormat = 'auto' | 'json' | 'pretty';

export interface LoggerOptions {
  level: string;
  name: string;
  /** `auto`: pretty for a person at a terminal, JSON when piped (log shippers, containers). */
  format?: LogFormat;
  /** Where lines go; stdout by default. Tests pass a stream to read what the app writes. */
  destination?: DestinationStream;
}

/** One logger per process; credentials are never written, and no code logs request bodies. */
export function createLogger(options: LoggerOptions): Logger {
  const base = { name: options.name, level: options.level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (options.destination) return pino(base, options.destination);
  return prettyWanted(options.format ?? 'auto') ? pino(base, prettyStream()) : pino(base);
}

function prettyWanted(format: LogFormat): boolean {
  if (format !== 'auto') return format === 'pretty';
  // pino-pretty is a development dependency: production images log JSON whatever the terminal.
  return process.stdout.isTTY && prettyAvailable();
}

const require = createRequire(import.meta.url);

function prettyAvailable(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** pino-pretty in this thread (no worker transport to start or flush): a few lines a second. */
function prettyStream(): DestinationStream {
  const pretty = require('pino-pretty') as (options: object) => DestinationStream;
  return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
}
