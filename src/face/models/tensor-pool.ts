/**
 * Input tensors for reuse: a few buffers of the largest input, handed out as views of the size
 * asked for. Keyed by exact size, a pool missed on every new video and ID image (each its own
 * aspect), and the 31 MB a bench:pipeline pass it allocated anew kept V8's GC marking.
 */
export class TensorPool {
  private readonly free: Float32Array[] = [];
  /** Buffers made and buffers handed out again: what the pool saves, observable. */
  readonly stats = { allocated: 0, reused: 0 };

  constructor(
    /** Values of the largest tensor pooled (3 × 640 × 640 for YuNet's letterbox); larger ones are not. */
    private readonly capacity: number,
    /** Buffers kept: concurrent comparisons each hold one while their run waits. */
    private readonly keep = 4,
  ) {}

  take(size: { width: number; height: number }): Float32Array {
    const values = 3 * size.width * size.height;
    if (values > this.capacity) {
      this.stats.allocated++;
      return new Float32Array(values);
    }
    const reused = this.free.pop();
    if (reused) this.stats.reused++;
    else this.stats.allocated++;
    return (reused ?? new Float32Array(this.capacity)).subarray(0, values);
  }

  give(tensor: Float32Array): void {
    if (tensor.buffer.byteLength !== this.capacity * Float32Array.BYTES_PER_ELEMENT || this.free.length >= this.keep) return;
    if (this.free.some((t) => t.buffer === tensor.buffer)) return;
    this.free.push(new Float32Array(tensor.buffer, 0, this.capacity));
  }
}
