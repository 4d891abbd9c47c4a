import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';

let installed = false;

/**
 * The Temporal SDK runtime with its logs silenced (core errors only): tests and tools print
 * their own results, and replays that fail on purpose would otherwise fill the output. Once per
 * process; the SDK refuses a second install.
 */
export function installQuietTemporalRuntime(): void {
  if (installed) return;
  const noop = () => undefined;
  Runtime.install({
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
    logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop },
  });
  installed = true;
}
