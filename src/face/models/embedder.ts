import type { FaceEmbedder } from '../ports.js';
import { l2Normalize } from '../decision/similarity.js';
import { toEmbedderTensor, type EmbedderPreprocessing } from '../image/layout.js';
import type { RgbImage } from '../types.js';
import { facesPerRun } from './batch-policy.js';
import type { OnnxRunner } from './onnx-runner.js';

export type EmbedderSettings = EmbedderPreprocessing & { dimension: number; inputSize: number };

/** Aligned faces in, their L2-normalised embeddings out, in runs of `perRun` faces; checks each vector's length. */
export async function embedFaces(runner: OnnxRunner, settings: EmbedderSettings, faces: readonly RgbImage[], perRun: number): Promise<Float32Array[]> {
  const size = settings.inputSize;
  for (const face of faces) {
    if (face.width !== size || face.height !== size) throw new Error(`an aligned face is ${size}² pixels, got ${face.width}×${face.height}`);
  }
  const vectors = await runner.runItems(faces.length, [3, size, size], perRun, (input, i, offset) => toEmbedderTensor(faces[i]!, settings, input, offset));
  return vectors.map((v) => {
    if (v.length !== settings.dimension) throw new Error(`embedder "${runner.id}" returned ${v.length} values a face, configured for ${settings.dimension}`);
    return l2Normalize(v);
  });
}

/** A face-embedding model: aligned faces in, L2-normalised embeddings out. */
export class OnnxFaceEmbedder implements FaceEmbedder {
  constructor(
    private readonly runner: OnnxRunner,
    private readonly settings: EmbedderSettings,
  ) {}

  async embed(face: RgbImage): Promise<Float32Array> {
    const [embedding] = await embedFaces(this.runner, this.settings, [face], 1);
    return embedding!;
  }

  async embedAll(faces: readonly RgbImage[]): Promise<Float32Array[]> {
    return embedFaces(this.runner, this.settings, faces, facesPerRun(this.runner));
  }
}
