import type { FaceEmbedder } from '../ports.js';
import type { RgbImage } from '../types.js';
import type { CrossComparisonBatching } from './batch-policy.js';
import { embedFaces, type EmbedderSettings } from './embedder.js';
import type { OnnxRunner } from './onnx-runner.js';

interface Pending {
  /** Aligned, as it came: normalised into the batch's input when the batch runs. */
  face: RgbImage;
  /** Who asked (a comparison), so the stats can say which runs several comparisons shared. */
  caller: object;
  resolve: (embedding: Float32Array) => void;
  reject: (err: unknown) => void;
}

/**
 * A micro-batcher for a batch-dynamic embedder (batch-policy.ts): faces from concurrent
 * comparisons in one worker are embedded together, one model run per batch, once `maxBatch` are
 * waiting or the first has waited `maxWaitMs`. On a GPU a batch of 16 costs about what one face
 * does; on a CPU it saves little, so there it is off unless EMBED_BATCH_SIZE asks for it.
 */
export class BatchingEmbedder implements FaceEmbedder {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Model runs, faces embedded, and runs that carried faces of more than one caller (benchmarks and tests read them). */
  readonly stats = { runs: 0, faces: 0, sharedRuns: 0 };

  constructor(
    private readonly runner: OnnxRunner,
    private readonly settings: EmbedderSettings,
    private readonly limits: CrossComparisonBatching,
  ) {}

  embed(face: RgbImage, caller: object = {}): Promise<Float32Array> {
    const embedding = this.enqueue(face, caller);
    if (this.queue.length >= this.limits.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.limits.maxWaitMs);
    return embedding;
  }

  /** Faces known to arrive together go at once, with whatever else is waiting: no wait for company. */
  embedAll(faces: readonly RgbImage[], caller: object = {}): Promise<Float32Array[]> {
    const embeddings = faces.map((face) => this.enqueue(face, caller));
    this.flush(true);
    return Promise.all(embeddings);
  }

  private enqueue(face: RgbImage, caller: object): Promise<Float32Array> {
    return new Promise((resolve, reject) => this.queue.push({ face, caller, resolve, reject }));
  }

  /** Runs the full batches (every batch with `all`); a remainder waits for company, maxWaitMs at most. */
  private flush(all = false): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.limits.maxBatch);
      void this.run(batch);
      if (!all && this.queue.length < this.limits.maxBatch) break;
    }
    if (this.queue.length) this.timer = setTimeout(() => this.flush(), this.limits.maxWaitMs);
  }

  private async run(batch: Pending[]): Promise<void> {
    try {
      const embeddings = await embedFaces(this.runner, this.settings, batch.map((p) => p.face), batch.length);
      this.stats.runs++;
      this.stats.faces += batch.length;
      if (new Set(batch.map((p) => p.caller)).size > 1) this.stats.sharedRuns++;
      batch.forEach((p, i) => p.resolve(embeddings[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
