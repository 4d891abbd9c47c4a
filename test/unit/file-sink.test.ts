import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FileSink, FLUSH_EVERY_BYTES, FlushSlots, type FileSinkOptions } from '../../src/storage/file-sink.js';

const MB = 1024 * 1024;
let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'file-sink-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `totalMb` of random data in 256 KB chunks to a new file; returns the data and the file. */
async function write(totalMb: number, options: FileSinkOptions = {}) {
  const data = randomBytes(totalMb * MB);
  const chunks = Array.from({ length: totalMb * 4 }, (_, i) => data.subarray(i * (MB / 4), (i + 1) * (MB / 4)));
  const file = path.join(dir, `f${n++}`);
  await pipeline(Readable.from(chunks), new FileSink(file, options));
  return { data, file };
}

/** A datasync that takes `ms` and records how many bytes the file held when it started. */
function watchedDatasync(ms: number, fail = false) {
  const calls = { startedAt: [] as number[], finished: 0, written: 0 };
  const datasync = async () => {
    calls.startedAt.push(calls.written);
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (fail) throw new Error('EIO: disk gone');
    calls.finished++;
  };
  return { calls, datasync, onWritten: (bytes: number) => void (calls.written = bytes) };
}

const openFds = () => readdirSync('/proc/self/fd').length;

describe('FileSink', () => {
  it('writes every byte in order and reports the bytes written as they land', async () => {
    const seen: number[] = [];
    const { data, file } = await write(5, { onWritten: (bytes) => void seen.push(bytes) });
    expect((await readFile(file)).equals(data)).toBe(true);
    expect(seen.at(-1)).toBe(5 * MB);
    expect(seen.every((bytes, i) => i === 0 || bytes > seen[i - 1]!)).toBe(true);
  });

  it('flushes a durable file while it is still arriving, and finishes only after its last flush', async () => {
    const watch = watchedDatasync(5);
    const { data, file } = await write(40, { onWritten: watch.onWritten, durable: { slots: new FlushSlots(), datasync: watch.datasync } });
    expect((await readFile(file)).equals(data)).toBe(true);
    expect(watch.calls.startedAt.length).toBeGreaterThanOrEqual(2);
    expect(watch.calls.startedAt.length).toBeLessThanOrEqual((40 * MB) / FLUSH_EVERY_BYTES);
    expect(Math.min(...watch.calls.startedAt)).toBeLessThan(20 * MB);
    expect(watch.calls.finished).toBe(watch.calls.startedAt.length);
  });

  it('does not flush in the background unless durable, nor a file smaller than the interval', async () => {
    const watch = watchedDatasync(1);
    await write(20, { onWritten: watch.onWritten });
    await write(4, { onWritten: watch.onWritten, durable: { slots: new FlushSlots(), datasync: watch.datasync } });
    expect(watch.calls.startedAt).toEqual([]);
  });

  it('fails the write when a background flush fails, and closes the file', async () => {
    const fds = openFds();
    const watch = watchedDatasync(1, true);
    await expect(write(40, { durable: { slots: new FlushSlots(), datasync: watch.datasync } })).rejects.toThrow('EIO: disk gone');
    await vi.waitFor(() => expect(openFds()).toBe(fds));
  });

  it('never runs more flushes at once than its slots allow', async () => {
    const slots = new FlushSlots(2);
    let running = 0;
    let most = 0;
    const datasync = async () => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 10));
      running--;
    };
    await Promise.all(Array.from({ length: 6 }, () => write(24, { durable: { slots, datasync } })));
    expect(most).toBe(2);
  });

  it('refuses to overwrite an existing file', async () => {
    const file = path.join(dir, 'exists');
    await writeFile(file, 'keep me');
    await expect(pipeline(Readable.from([Buffer.from('new')]), new FileSink(file))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(file, 'utf8')).toBe('keep me');
  });

  it('closes the file when the source fails half way', async () => {
    const fds = openFds();
    const source = Readable.from(
      (async function* () {
        yield Buffer.alloc(MB);
        throw new Error('client went away');
      })(),
    );
    await expect(pipeline(source, new FileSink(path.join(dir, 'half')))).rejects.toThrow('client went away');
    // pipeline rejects on the first error; the sink closes its file right after.
    await vi.waitFor(() => expect(openFds()).toBe(fds));
  });
});
