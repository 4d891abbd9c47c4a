import type { Box, DetectedFace, RgbImage } from './types.js';

/**
 * What the pipeline needs of its models, and nothing of how they run: the ONNX adapters in
 * models/ implement these, and tests give the pipeline fakes that need no model files.
 */
export interface FaceDetector {
  /**
   * Every face in `image`, in its coordinates, best first. `maxInputEdge` runs the model on at
   * most that many pixels a side (where its input size is free), for questions that need no detail.
   */
  detect(image: RgbImage, options?: { retryPadded?: boolean; maxInputEdge?: number }): Promise<DetectedFace[]>;
}

export interface FaceEmbedder {
  /** An aligned face in, an L2-normalised embedding out. `caller`: who asks (a comparison), for batching across callers. */
  embed(alignedFace: RgbImage, caller?: object): Promise<Float32Array>;
  /** Aligned faces in, their embeddings out in the same order, in as few model runs as the model allows. */
  embedAll(alignedFaces: readonly RgbImage[], caller?: object): Promise<Float32Array[]>;
}

export interface PresentationAttackScorer {
  /** Probability that the face in `box` is a live one, not a print, screen or mask. */
  realProbability(image: RgbImage, box: Box): Promise<number>;
  /** The same for several faces, in as few model runs as the models allow. */
  realProbabilities(faces: readonly { image: RgbImage; box: Box }[]): Promise<number[]>;
}

export interface FaceModels {
  detector: FaceDetector;
  embedder: FaceEmbedder;
  antiSpoof: PresentationAttackScorer;
  /** Where the models run ("cpu", "cuda", …), reported in every result. */
  executionProvider: string;
}
