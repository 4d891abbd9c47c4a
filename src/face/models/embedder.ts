import * as ort from 'onnxruntime-node';
import { toEmbedderTensor, type EmbedderPreprocessing } from './embedder-input.js';
import type { LoadedModel } from './model-loader.js';
import type { FaceEmbedder } from '../ports.js';
import { l2Normalize } from '../decision/similarity.js';
import type { RgbImage } from '../types.js';

/** A face-embedding model on an ONNX session: aligned face in, L2-normalised embedding out. */
export class OnnxFaceEmbedder implements FaceEmbedder {
  constructor(
    private readonly model: LoadedModel,
    private readonly pre: EmbedderPreprocessing & { dimension: number },
  ) {}

  async embed(face: RgbImage): Promise<Float32Array> {
    const input = new ort.Tensor('float32', toEmbedderTensor(face, this.pre), [1, 3, face.height, face.width]);
    const session = this.model.session;
    const results = await session.run({ [session.inputNames[0]!]: input });
    const output = results[session.outputNames[0]!];
    if (!output) throw new Error(`embedder "${this.model.id}" returned no output`);
    const vector = output.data as Float32Array;
    if (vector.length !== this.pre.dimension) {
      throw new Error(`embedder "${this.model.id}" returned ${vector.length} values, configured for ${this.pre.dimension}`);
    }
    return l2Normalize(vector);
  }
}
