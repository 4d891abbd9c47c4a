import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { FacePipeline } from '../../src/face/pipeline.js';
import type { FaceModels } from '../../src/face/ports.js';
import type { DetectedFace, RgbImage } from '../../src/face/types.js';

/** A checkerboard: sharp and mid-grey, so it passes every quality gate once aligned. */
const image = (size: number): RgbImage => {
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) data.fill((Math.floor((i % size) / 6) + Math.floor(i / size / 6)) % 2 ? 200 : 50, i * 3, i * 3 + 3);
  return { width: size, height: size, data };
};
const faceAt = (x: number, size: number): DetectedFace => ({
  box: { x, y: x, width: size, height: size },
  score: 0.95,
  landmarks: [
    [x + 0.3 * size, x + 0.4 * size],
    [x + 0.7 * size, x + 0.4 * size],
    [x + 0.5 * size, x + 0.6 * size],
    [x + 0.35 * size, x + 0.8 * size],
    [x + 0.65 * size, x + 0.8 * size],
  ],
});

function fakeModels(faces: DetectedFace[]): FaceModels & { embedded: number } {
  const models = {
    embedded: 0,
    executionProvider: 'fake',
    detector: { detect: async () => faces },
    embedder: {
      embed: async () => {
        models.embedded++;
        return Float32Array.from([1, 0, 0]);
      },
      embedAll: async (aligned: readonly unknown[]) => {
        models.embedded += aligned.length;
        return aligned.map(() => Float32Array.from([1, 0, 0]));
      },
    },
    antiSpoof: { realProbability: async () => 1, realProbabilities: async (faces: readonly unknown[]) => faces.map(() => 1) },
  };
  return models;
}

describe('FacePipeline on its ports (no model files)', () => {
  const config = loadConfig({}).face;

  it('embeds the largest face when it passes the gates', async () => {
    const models = fakeModels([faceAt(10, 80), faceAt(100, 200)]);
    const analysis = await new FacePipeline(config, models).analyze(image(400), { gates: config.gates.frame });
    expect(analysis.largest?.box.width).toBe(200);
    expect(analysis.failure).toBeUndefined();
    expect(Array.from(analysis.embedding ?? [])).toEqual([1, 0, 0]);
    expect(models.embedded).toBe(1);
  });

  it('does not embed a face that fails a gate, and says which', async () => {
    const models = fakeModels([faceAt(10, 30)]);
    const analysis = await new FacePipeline(config, models).analyze(image(400), { gates: config.gates.frame });
    expect(analysis.failure).toBe('FACE_TOO_SMALL');
    expect(analysis.embedding).toBeUndefined();
    expect(models.embedded).toBe(0);
  });

  it('reports the provider the models run on', () => {
    expect(new FacePipeline(config, fakeModels([])).executionProvider).toBe('fake');
  });
});
