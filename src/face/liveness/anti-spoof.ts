import { facesPerRun } from '../models/batch-policy.js';
import type { OnnxRunner } from '../models/onnx-runner.js';
import type { PresentationAttackScorer } from '../ports.js';
import type { Box, RgbImage } from '../types.js';
import { antiSpoofCrop, antiSpoofTensor, fuseRealProbability, softmax } from './anti-spoof-input.js';

export interface AntiSpoofModel {
  runner: OnnxRunner;
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
    return this.models.map((m) => m.runner.id);
  }

  async realProbability(image: RgbImage, box: Box): Promise<number> {
    const [real] = await this.realProbabilities([{ image, box }]);
    return real!;
  }

  /** Each model runs once over all the faces when its batch dimension is open (a frame a run otherwise). */
  async realProbabilities(faces: readonly { image: RgbImage; box: Box }[]): Promise<number[]> {
    if (faces.length === 0) return [];
    const side = ANTI_SPOOF_INPUT;
    const scores: number[][][] = faces.map(() => []);
    for (const { runner, scale } of this.models) {
      const logits = await runner.runItems(faces.length, [3, side, side], facesPerRun(runner, faces.length), (input, i, offset) => {
        const { image, box } = faces[i]!;
        antiSpoofTensor(image, antiSpoofCrop(image.width, image.height, box, scale), side, input, offset);
      });
      logits.forEach((l, i) => scores[i]!.push(softmax(l)));
    }
    return scores.map(fuseRealProbability);
  }
}
