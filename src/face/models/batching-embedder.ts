import type { FaceEmbedder } from '../ports.js';
import type { RgbImage } from '../types.js';
import type { EmbedderPreprocessing } from './embedder-input.js';
import { embedBatch } from './embedder.js';
import type { LoadedModel } from './model-loader.js';

export interface BatchLimits {
  /** Faces per model run at most. */
  maxBatch: number;
  /** How long the first face of a batch waits for others. */
  maxWaitMs: number;
}

interface Pending {
  /** Aligned, as it came: normalised into the batch's input when the batch runs. */
  face: RgbImage;
  resolve: (embedding: Float32Array) => void;
  reject: (err: unknown) => void;
}

/**
 * A micro-batcher for a batch-dynamic embedder (model-variants.ts): faces from concurrent
 * comparisons in one worker are embedded together, one model run per batch, once `maxBatch` are
 * waiting or the first has waited `maxWaitMs`. On a GPU a batch of 16 costs about what one face
 * does; on a CPU it saves little, so there it is off unless EMBED_BATCH_SIZE asks for it.
 */
export class BatchingEmbedder implements FaceEmbedder {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Model runs and faces embedded so far (benchmarks report faces per run). */
  readonly stats = { runs: 0, faces: 0 };

  constructor(
    private readonly model: LoadedModel,
    private readonly pre: EmbedderPreprocessing & { dimension: number; inputSize: number },
    private readonly limits: BatchLimits,
  ) {}

  embed(face: RgbImage): Promise<Float32Array> {
    const embedding = this.enqueue(face);
    if (this.queue.length >= this.limits.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.limits.maxWaitMs);
    return embedding;
  }

  /** Faces known to arrive together go at once, with whatever else is waiting: no wait for company. */
  embedAll(faces: readonly RgbImage[]): Promise<Float32Array[]> {
    const embeddings = faces.map((face) => this.enqueue(face));
    this.flush(true);
    return Promise.all(embeddings);
  }

  private enqueue(face: RgbImage): Promise<Float32Array> {
    if (face.width !== this.pre.inputSize || face.height !== this.pre.inputSize) {
      return Promise.reject(new Error(`an aligned face is ${this.pre.inputSize}² pixels, got ${face.width}×${face.height}`));
    }
    return new Promise((resolve, reject) => this.queue.push({ face, resolve, reject }));
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
      const embeddings = await embedBatch(this.model, this.pre, batch.map((p) => p.face));
      this.stats.runs++;
      this.stats.faces += batch.length;
      batch.forEach((p, i) => p.resolve(embeddings[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
