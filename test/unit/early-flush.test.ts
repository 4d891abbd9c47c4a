import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { FLUSH_EVERY_BYTES, FlushSlots, flushWhileWriting } from '../../src/storage/early-flush.js';

const MB = 1024 * 1024;

/** A stand-in for a file whose datasync takes `ms` and records what was written by then. */
function fakeFile(ms: number, fail = false) {
  const file = {
    written: 0,
    flushedAt: [] as number[],
    finishedFlushes: 0,
    datasync: async () => {
      file.flushedAt.push(file.written);
      await new Promise((resolve) => setTimeout(resolve, ms));
      if (fail) throw new Error('EIO: disk gone');
      file.finishedFlushes++;
    },
  };
  return file;
}

async function write(file: ReturnType<typeof fakeFile>, totalMb: number, slots = new FlushSlots()) {
  const chunks = Array.from({ length: totalMb * 4 }, (_, i) => Buffer.alloc(MB / 4, i % 256));
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      file.written += chunk.length;
      // About as fast as a disk: a flush takes a few writes' time.
      setTimeout(cb, 1);
    },
  });
  await pipeline(Readable.from(chunks), flushWhileWriting(file.datasync, slots), sink);
  return chunks;
}

describe('flushWhileWriting', () => {
  it('flushes while the file is still arriving, and ends only after its last flush', async () => {
    const file = fakeFile(5);
    await write(file, 40);
    expect(file.written).toBe(40 * MB);
    // One flush per 8 MB at most, each started before the end of the file.
    expect(file.flushedAt.length).toBeGreaterThanOrEqual(2);
    expect(file.flushedAt.length).toBeLessThanOrEqual(40 * MB / FLUSH_EVERY_BYTES);
    expect(Math.max(...file.flushedAt)).toBeLessThan(40 * MB);
    expect(file.finishedFlushes).toBe(file.flushedAt.length);
  });

  it('does not flush a file smaller than the flush interval', async () => {
    const file = fakeFile(1);
    await write(file, 4);
    expect(file.flushedAt).toEqual([]);
  });

  it('fails the write when a flush fails', async () => {
    await expect(write(fakeFile(1, true), 40)).rejects.toThrow('EIO');
  });
});

describe('FlushSlots', () => {
  it('never runs more than its limit at once, and runs every task', async () => {
    const slots = new FlushSlots(2);
    let running = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        slots.run(async () => {
          most = Math.max(most, ++running);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running--;
          return i;
        }),
      ),
    );
    expect(most).toBe(2);
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('frees the slot of a task that failed', async () => {
    const slots = new FlushSlots(1);
    await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(slots.run(async () => 'next')).resolves.toBe('next');
  });
});
