import * as ort from 'onnxruntime-node';
import type { LoadedModel } from './model-loader.js';

/**
 * The one way a model runs here: a float input of a given shape in, its outputs out. Models that
 * take several items a run (an open batch dimension, model-variants.ts) get them laid into one
 * input by `runItems`, which splits the first output back per item.
 */
export class OnnxRunner {
  constructor(readonly model: LoadedModel) {}

  get id(): string {
    return this.model.id;
  }

  get provider(): 'cuda' | 'cpu' {
    return this.model.provider;
  }

  /** Whether the model takes several items a run: its batch dimension is symbolic. */
  get takesBatches(): boolean {
    const meta = this.model.session.inputMetadata[0];
    return meta?.isTensor === true && typeof meta.shape[0] === 'string';
  }

  /** One run of the model on `input`; every output by name. */
  async run(input: Float32Array, shape: readonly number[]): Promise<Record<string, Float32Array>> {
    const session = this.model.session;
    const results = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [...shape]) });
    const outputs: Record<string, Float32Array> = {};
    for (const [name, tensor] of Object.entries(results)) outputs[name] = tensor.data as Float32Array;
    return outputs;
  }

  /**
   * `count` items of `itemShape` (C, H, W), `perRun` at most a run, each written by `fill` into
   * the run's input at `offset`; the first output split evenly per item, in order.
   */
  async runItems(count: number, itemShape: readonly [number, number, number], perRun: number, fill: (input: Float32Array<ArrayBuffer>, item: number, offset: number) => void): Promise<Float32Array[]> {
    const itemSize = itemShape[0] * itemShape[1] * itemShape[2];
    const out: Float32Array[] = [];
    for (let first = 0; first < count; first += perRun) {
      const n = Math.min(perRun, count - first);
      const input = new Float32Array(n * itemSize);
      for (let i = 0; i < n; i++) fill(input, first + i, i * itemSize);
      const output = Object.values(await this.run(input, [n, ...itemShape]))[0];
      if (!output || output.length === 0 || output.length % n !== 0) throw new Error(`model "${this.id}" returned ${output?.length ?? 0} values for ${n} items`);
      const per = output.length / n;
      for (let i = 0; i < n; i++) out.push(output.slice(i * per, (i + 1) * per));
    }
    return out;
  }
}
