import { describe, expect, it } from 'vitest';
import { TensorPool } from '../../src/face/models/tensor-pool.js';

describe('TensorPool', () => {
  const size = { width: 4, height: 2 };

  it('hands out tensors of the input size and takes back what it gave', () => {
    const pool = new TensorPool();
    const t = pool.take(size);
    expect(t.length).toBe(3 * 4 * 2);
    pool.give(size, t);
    expect(pool.take(size)).toBe(t);
    expect(pool.take(size)).not.toBe(t);
  });

  it('keeps a few tensors of a few sizes, dropping the oldest size', () => {
    const pool = new TensorPool(2, 2);
    const kept = [pool.take(size), pool.take(size), pool.take(size)];
    for (const t of kept) pool.give(size, t);
    expect([pool.take(size), pool.take(size), pool.take(size)].filter((t) => kept.includes(t))).toHaveLength(2);
    const a = pool.take(size);
    pool.give(size, a);
    pool.give({ width: 1, height: 1 }, pool.take({ width: 1, height: 1 }));
    pool.give({ width: 2, height: 2 }, pool.take({ width: 2, height: 2 }));
    expect(pool.take(size)).not.toBe(a);
  });
});
