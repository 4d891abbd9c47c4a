import { describe, expect, it } from 'vitest';
import { toEmbedderTensor } from '../../src/face/image/layout.js';

describe('toEmbedderTensor', () => {
  const face = { width: 2, height: 2, data: Uint8Array.from([255, 0, 51, 0, 255, 102, 0, 0, 153, 255, 255, 204]) };
  const pre = { channelOrder: 'BGR' as const, mean: [0.5, 0.5, 0.5] as const, std: [0.5, 0.5, 0.5] as const };

  it('normalises each channel into its plane, in the model channel order', () => {
    const t = toEmbedderTensor(face, pre);
    // BGR: plane 0 is blue, (v / 255 - 0.5) / 0.5.
    expect(Array.from(t.subarray(0, 4)).map((v) => Math.round(v * 100) / 100)).toEqual([-0.6, -0.2, 0.2, 0.6]);
    expect(Array.from(t.subarray(8, 12))).toEqual([1, -1, -1, 1]);
  });

  it('writes a face into its place in a batch input exactly as on its own', () => {
    const alone = toEmbedderTensor(face, pre);
    const batch = new Float32Array(3 * alone.length).fill(7);
    expect(toEmbedderTensor(face, pre, batch, alone.length)).toBe(batch);
    expect(Array.from(batch.subarray(alone.length, 2 * alone.length))).toEqual(Array.from(alone));
    expect([...batch.subarray(0, alone.length), ...batch.subarray(2 * alone.length)].every((v) => v === 7)).toBe(true);
  });
});
