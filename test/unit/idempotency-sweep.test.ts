import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startIdempotencySweep } from '../../src/db/idempotency-sweep.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('startIdempotencySweep', () => {
  it('deletes expired keys every interval, goes on after a failure, and stops when told', async () => {
    vi.useFakeTimers();
    const results: (number | Error)[] = [3, new Error('connection reset'), 0];
    const deleteExpired = vi.fn(async () => {
      const next = results.shift() ?? 0;
      if (next instanceof Error) throw next;
      return next;
    });
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const stop = startIdempotencySweep({ deleteExpired }, logger, 1000);
    await vi.advanceTimersByTimeAsync(3000);
    expect(deleteExpired).toHaveBeenCalledTimes(3);
    expect(lines.some((l) => l.includes('"deleted":3'))).toBe(true);
    expect(lines.some((l) => l.includes('sweep failed') && l.includes('connection reset'))).toBe(true);
    stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(deleteExpired).toHaveBeenCalledTimes(3);
  });
});
