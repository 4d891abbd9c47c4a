import * as ort from 'onnxruntime-node';
import { takesBatches, type LoadedModel } from '../models/model-loader.js';
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
    const [real] = await this.realProbabilities([{ image, box }]);
    return real!;
  }

  /** Each model runs once over all the faces when its batch dimension is open (a frame a run otherwise). */
  async realProbabilities(faces: readonly { image: RgbImage; box: Box }[]): Promise<number[]> {
    if (faces.length === 0) return [];
    const scores: number[][][] = faces.map(() => []);
    const side = ANTI_SPOOF_INPUT;
    const plane = 3 * side * side;
    for (const { model, scale } of this.models) {
      const perRun = takesBatches(model) ? faces.length : 1;
      for (let first = 0; first < faces.length; first += perRun) {
        const chunk = faces.slice(first, first + perRun);
        const input = new Float32Array(chunk.length * plane);
        chunk.forEach(({ image, box }, i) => antiSpoofTensor(image, antiSpoofCrop(image.width, image.height, box, scale), side, input, i * plane));
        const session = model.session;
        const results = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [chunk.length, 3, side, side]) });
        const output = results[session.outputNames[0]!]?.data as Float32Array | undefined;
        if (!output || output.length % chunk.length !== 0) throw new Error(`anti-spoofing model "${model.id}" returned ${output?.length ?? 0} values for ${chunk.length} faces`);
        const classes = output.length / chunk.length;
        chunk.forEach((_, i) => scores[first + i]!.push(softmax(output.subarray(i * classes, (i + 1) * classes))));
      }
    }
    return scores.map(fuseRealProbability);
  }
}
