import * as ort from 'onnxruntime-node';
import type { LoadedModel } from '../models/model-loader.js';
import type { PresentationAttackScorer } from '../ports.js';
import type { Box, RgbImage } from '../types.js';
import { antiSpoofCrop, antiSpoofTensor, fuseRealProbability, softmax } from './anti-spoof-input.js';

export interface AntiSpoofModel {
  model: LoadedModel;
  /** Crop side as a multiple of the face box (2.7 for MiniFASNetV2, 4.0 for MiniFASNetV1SE). */
  scale: number;
}

/** MiniFASNet's fixed input side. */
export const ANTI_SPOOF_INPUT = 80;

/**
 * Passive presentation-attack detection: each model looks at its own crop around the face; the
 * softmax vectors are fused into one probability that the face is a live one (class 1).
 */
export class AntiSpoofer implements PresentationAttackScorer {
  constructor(private readonly models: readonly AntiSpoofModel[]) {}

  get ids(): string[] {
    return this.models.map((m) => m.model.id);
  }

  async realProbability(image: RgbImage, box: Box): Promise<number> {
    const scores: number[][] = [];
    for (const { model, scale } of this.models) {
      const crop = antiSpoofCrop(image.width, image.height, box, scale);
      const input = new ort.Tensor('float32', antiSpoofTensor(image, crop, ANTI_SPOOF_INPUT), [1, 3, ANTI_SPOOF_INPUT, ANTI_SPOOF_INPUT]);
      const session = model.session;
      const results = await session.run({ [session.inputNames[0]!]: input });
      const output = results[session.outputNames[0]!];
      if (!output) throw new Error(`anti-spoofing model "${model.id}" returned no output`);
      scores.push(softmax(output.data as Float32Array));
    }
    return fuseRealProbability(scores);
  }
}
