import * as ort from 'onnxruntime-node';
import { toEmbedderTensor, type EmbedderPreprocessing } from './embedder-input.js';
import { takesBatches, type LoadedModel } from './model-loader.js';
import type { FaceEmbedder } from '../ports.js';
import { l2Normalize } from '../decision/similarity.js';
import type { RgbImage } from '../types.js';

/** Faces per model run at most when one comparison embeds its frames together. */
const MAX_FACES_PER_RUN = 16;

/**
 * One model run over `faces` (aligned, `pre.inputSize`² each): their L2-normalised embeddings in
 * order. Each face is normalised straight into the batch's input. A batch of one suits any
 * model; more need its batch dimension open.
 */
export async function embedBatch(model: LoadedModel, pre: EmbedderPreprocessing & { dimension: number }, faces: readonly RgbImage[]): Promise<Float32Array[]> {
  const size = faces[0]!.width;
  const plane = 3 * size * size;
  const input = new Float32Array(faces.length * plane);
  faces.forEach((face, i) => toEmbedderTensor(face, pre, input, i * plane));
  const session = model.session;
  const results = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [faces.length, 3, size, size]) });
  const output = results[session.outputNames[0]!]?.data as Float32Array | undefined;
  const d = pre.dimension;
  if (!output || output.length !== faces.length * d) {
    throw new Error(`embedder "${model.id}" returned ${(output?.length ?? 0) / faces.length} values a face, configured for ${d}`);
  }
  return faces.map((_, i) => l2Normalize(output.slice(i * d, (i + 1) * d)));
}

/** A face-embedding model on an ONNX session: aligned faces in, L2-normalised embeddings out. */
export class OnnxFaceEmbedder implements FaceEmbedder {
  constructor(
    private readonly model: LoadedModel,
    private readonly pre: EmbedderPreprocessing & { dimension: number },
  ) {}

  async embed(face: RgbImage): Promise<Float32Array> {
    const [embedding] = await embedBatch(this.model, this.pre, [face]);
    return embedding!;
  }

  /** On a CPU a run of several faces costs less per face than one run each (about 3 against 4 ms). */
  async embedAll(faces: readonly RgbImage[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    const perRun = takesBatches(this.model) ? MAX_FACES_PER_RUN : 1;
    for (let i = 0; i < faces.length; i += perRun) {
      const chunk = faces.slice(i, i + perRun);
      out.push(...(await embedBatch(this.model, this.pre, chunk)));
    }
    return out;
  }
}
