import type { Logger } from 'pino';

/** Runs a process entry point; any failure is logged with its cause and exits 1. */
export function runMain(name: string, main: () => Promise<void>, logger?: () => Logger | undefined): void {
  main().catch((err: unknown) => {
    const log = logger?.();
    if (log) log.fatal({ err }, `${name} failed`);
    else console.error(`${name} failed:`, err);
    process.exit(1);
  });
}

/** Resolves on the first SIGINT or SIGTERM. */
export function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
  });
}
