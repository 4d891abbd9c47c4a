/**
 * Free input tensors by input size, a few of each: concurrent comparisons each hold one while
 * their run waits, and frames of one video share a size.
 */
export class TensorPool {
  private readonly free = new Map<string, Float32Array[]>();

  constructor(
    private readonly perSize = 4,
    private readonly sizes = 8,
  ) {}

  take(size: { width: number; height: number }): Float32Array {
    return this.free.get(`${size.width}x${size.height}`)?.pop() ?? new Float32Array(3 * size.width * size.height);
  }

  give(size: { width: number; height: number }, tensor: Float32Array): void {
    const key = `${size.width}x${size.height}`;
    let list = this.free.get(key);
    if (!list) {
      // Videos of many shapes: drop the oldest size rather than grow without bound.
      if (this.free.size >= this.sizes) this.free.delete(this.free.keys().next().value!);
      list = [];
      this.free.set(key, list);
    }
    if (list.length < this.perSize) list.push(tensor);
  }
}
