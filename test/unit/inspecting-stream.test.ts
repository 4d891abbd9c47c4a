import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BlobTooLargeError, EmptyBlobError } from '../../src/storage/blob-store.js';
import { inspectingStream } from '../../src/storage/inspecting-stream.js';

async function run(chunks: Buffer[], options: Parameters<typeof inspectingStream>[0]) {
  const inspect = inspectingStream(options);
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), inspect.stream, new Writable({ write: (c: Buffer, _e, cb) => (out.push(c), cb()) }));
  return { ...inspect.result(), passed: Buffer.concat(out) };
}

describe('inspectingStream', () => {
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
  const pieces = [data.subarray(0, 10), data.subarray(10, 70), data.subarray(70)];

  it('passes every byte through unchanged and hashes them', async () => {
    const r = await run(pieces, { maxBytes: 10_000 });
    expect(r.passed.equals(data)).toBe(true);
    expect(r.bytes).toBe(1000);
    expect(r.sha256).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('shows the head to checkHead before passing it on, and stops when it throws', async () => {
    const seen: number[] = [];
    await run(pieces, { maxBytes: 10_000, checkHead: (h) => void seen.push(h.length) });
    expect(seen).toEqual([70]);
    await expect(run(pieces, { maxBytes: 10_000, checkHead: () => { throw new Error('not an image'); } })).rejects.toThrow('not an image');
  });

  it('checks the head of a file shorter than the head size', async () => {
    const seen: number[] = [];
    const r = await run([Buffer.from('tiny')], { maxBytes: 100, checkHead: (h) => void seen.push(h.length) });
    expect(seen).toEqual([4]);
    expect(r.passed.toString()).toBe('tiny');
  });

  it('fails as soon as the limit is passed, and on empty input', async () => {
    await expect(run(pieces, { maxBytes: 999 })).rejects.toBeInstanceOf(BlobTooLargeError);
    await expect(run([], { maxBytes: 10 })).rejects.toBeInstanceOf(EmptyBlobError);
  });
});
