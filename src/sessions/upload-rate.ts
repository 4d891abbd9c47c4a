import { Transform, pipeline, type Readable } from 'node:stream';
import { Problem } from './problems.js';

export interface MinimumRate {
  bytesPerSecond: number;
  /** Time allowed before the rate counts: TCP slow start, a phone waking its radio. */
  graceMs: number;
}

/**
 * The upload stream, failing with 408 once its average rate since the start falls below the
 * minimum after the grace period. A client trickling a few bytes a second would otherwise hold
 * a socket, a temp file and an Idempotency-Key claim for as long as it likes. A rate of 0
 * turns the check off.
 */
export function enforceMinimumRate(source: Readable, rate: MinimumRate): Readable {
  if (rate.bytesPerSecond <= 0) return source;
  const started = Date.now();
  let received = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      callback(null, chunk);
    },
  });
  const timer = setInterval(() => {
    const elapsedMs = Date.now() - started;
    if (elapsedMs < rate.graceMs) return;
    if ((received * 1000) / elapsedMs < rate.bytesPerSecond) {
      clearInterval(timer);
      const problem = new Problem('upload-too-slow', `below ${rate.bytesPerSecond} bytes per second on average`);
      // The pipeline tears the upload stream down with it; the 408 closes the connection.
      meter.destroy(problem);
    }
  }, Math.max(100, Math.min(1000, rate.graceMs / 2)));
  const stop = () => clearInterval(timer);
  meter.once('end', stop).once('close', stop).once('error', stop);
  // pipeline, not pipe: a part that closes early (a body cut off mid-file) must fail the meter too.
  pipeline(source, meter, (err) => {
    if (err) meter.destroy(err);
  });
  return meter;
}
