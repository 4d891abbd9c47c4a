import { describe, expect, it } from 'vitest';
import { TensorPool } from '../../src/face/models/tensor-pool.js';

describe('TensorPool', () => {
  const size = { width: 4, height: 2 };

  it('hands out tensors of the input size and takes back what it gave, whatever the size', () => {
    const pool = new TensorPool(3 * 8 * 8);
    const t = pool.take(size);
    expect(t.length).toBe(3 * 4 * 2);
    pool.give(t);
    const other = pool.take({ width: 8, height: 3 });
    expect(other.length).toBe(3 * 8 * 3);
    expect(other.buffer).toBe(t.buffer);
    expect(pool.take(size).buffer).not.toBe(t.buffer);
  });

  it('keeps a few buffers, once each, and never one larger than it pools', () => {
    const pool = new TensorPool(3 * 8 * 8, 2);
    const kept = [pool.take(size), pool.take(size), pool.take(size)];
    for (const t of kept) pool.give(t);
    pool.give(kept[0]!);
    const again = [pool.take(size), pool.take(size), pool.take(size)];
    expect(again.filter((t) => kept.some((k) => k.buffer === t.buffer))).toHaveLength(2);
    expect(new Set(again.map((t) => t.buffer)).size).toBe(3);
    const large = pool.take({ width: 9, height: 9 });
    expect(large.length).toBe(3 * 81);
    pool.give(large);
    expect(pool.take({ width: 9, height: 9 })).not.toBe(large);
  });
});
