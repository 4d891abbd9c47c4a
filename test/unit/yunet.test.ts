import { describe, expect, it } from 'vitest';
import { decodeYuNet, iou, letterbox, nonMaxSuppression, unletterbox } from '../../src/face/models/yunet.js';

const SIZE = 640;

/** Empty YuNet outputs with one confident anchor at (row, col) of the stride-16 grid. */
function outputsWithOneFace(row: number, col: number) {
  const outputs: Record<string, Float32Array> = {};
  for (const stride of [8, 16, 32]) {
    const n = (SIZE / stride) ** 2;
    outputs[`cls_${stride}`] = new Float32Array(n);
    outputs[`obj_${stride}`] = new Float32Array(n);
    outputs[`bbox_${stride}`] = new Float32Array(n * 4);
    outputs[`kps_${stride}`] = new Float32Array(n * 10);
  }
  const i = row * (SIZE / 16) + col;
  outputs.cls_16![i] = 0.81;
  outputs.obj_16![i] = 1;
  outputs.bbox_16!.set([0.5, 0.25, Math.log(4), Math.log(5)], i * 4);
  outputs.kps_16!.set([0, 0, 1, 0, 0.5, 0.5, 0, 1, 1, 1], i * 10);
  return outputs;
}

describe('YuNet decoding', () => {
  it('decodes score, box and landmarks of an anchor', () => {
    const [face, ...rest] = decodeYuNet(outputsWithOneFace(10, 20), SIZE, 0.5);
    expect(rest).toHaveLength(0);
    expect(face!.score).toBeCloseTo(0.9, 6);
    // centre ((20 + 0.5) * 16, (10 + 0.25) * 16) = (328, 164); size (4 * 16, 5 * 16) = (64, 80)
    expect(face!.box).toEqual({ x: expect.closeTo(296, 4), y: expect.closeTo(124, 4), width: expect.closeTo(64, 4), height: expect.closeTo(80, 4) });
    expect(face!.landmarks[0]).toEqual([320, 160]);
    expect(face!.landmarks[2]).toEqual([328, 168]);
    expect(face!.landmarks[4]).toEqual([336, 176]);
  });

  it('drops anchors below the score threshold', () => {
    expect(decodeYuNet(outputsWithOneFace(3, 3), SIZE, 0.95)).toHaveLength(0);
  });

  it('names a missing output head instead of crashing on undefined', () => {
    expect(() => decodeYuNet({}, SIZE, 0.5)).toThrow(/cls_8/);
  });
});

describe('letterbox', () => {
  it('fits the long side and keeps the aspect ratio', () => {
    expect(letterbox(1280, 720, SIZE)).toEqual({ scale: 0.5, width: 640, height: 360 });
    expect(letterbox(360, 640, SIZE)).toEqual({ scale: 1, width: 360, height: 640 });
    expect(letterbox(100, 50, SIZE)).toEqual({ scale: 6.4, width: 640, height: 320 });
  });

  it('maps boxes and landmarks back to the original image', () => {
    const face = { score: 0.9, box: { x: 10, y: 20, width: 30, height: 40 }, landmarks: [[5, 6]] as [number, number][] };
    expect(unletterbox(face, letterbox(1280, 720, SIZE))).toEqual({
      score: 0.9,
      box: { x: 20, y: 40, width: 60, height: 80 },
      landmarks: [[10, 12]],
    });
  });
});

describe('nonMaxSuppression', () => {
  const face = (x: number, score: number) => ({ score, box: { x, y: 0, width: 10, height: 10 }, landmarks: [] });

  it('keeps the best of overlapping boxes and every separate one', () => {
    const kept = nonMaxSuppression([face(0, 0.8), face(1, 0.9), face(50, 0.7)], 0.3);
    expect(kept.map((f) => f.score)).toEqual([0.9, 0.7]);
  });

  it('computes IoU', () => {
    expect(iou(face(0, 1).box, face(5, 1).box)).toBeCloseTo(50 / 150, 9);
    expect(iou(face(0, 1).box, face(20, 1).box)).toBe(0);
  });
});
