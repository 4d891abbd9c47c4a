import type { Logger } from 'pino';

/**
 * Runs a process entry point; any failure is logged with its cause and exits 1. When `main`
 * returns (its shutdown is done), the process exits 0: a metrics server or the Temporal runtime's
 * handles would otherwise keep it alive after a SIGTERM, until a supervisor's SIGKILL.
 */
export function runMain(name: string, main: () => Promise<void>, logger?: () => Logger | undefined): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      const log = logger?.();
      if (log) log.fatal({ err }, `${name} failed`);
      else console.error(`${name} failed:`, err);
      process.exit(1);
    },
  );
}

/** Resolves on the first SIGINT or SIGTERM. */
export function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
  });
}
