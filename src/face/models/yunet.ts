/**
 * Pure pre- and post-processing for YuNet (OpenCV Zoo's face_detection_yunet_2023mar):
 * letterboxing to its square input (or, for the dynamic-size form, to the image's own aspect
 * ratio padded to a multiple of 32), tensor layout, anchor-free decoding and NMS.
 */
import type { Box, DetectedFace, Point } from '../types.js';

export const YUNET_STRIDES = [8, 16, 32] as const;

export interface Letterbox {
  /** Multiply model-space coordinates by 1/scale to get image coordinates. */
  scale: number;
  width: number;
  height: number;
}

/** The image is scaled to fit the square input and placed at its top-left corner. */
export function letterbox(width: number, height: number, inputSize: number): Letterbox {
  const scale = Math.min(inputSize / width, inputSize / height);
  return {
    scale,
    width: Math.max(1, Math.min(inputSize, Math.round(width * scale))),
    height: Math.max(1, Math.min(inputSize, Math.round(height * scale))),
  };
}

export type YuNetOutputs = Record<string, Float32Array>;

/** Decodes the twelve output heads into faces in model-input coordinates, above a score threshold. */
export function decodeYuNet(outputs: YuNetOutputs, input: number | { width: number; height: number }, scoreThreshold: number): DetectedFace[] {
  const inputWidth = typeof input === 'number' ? input : input.width;
  const inputHeight = typeof input === 'number' ? input : input.height;
  const faces: DetectedFace[] = [];
  for (const stride of YUNET_STRIDES) {
    const cls = head(outputs, `cls_${stride}`);
    const obj = head(outputs, `obj_${stride}`);
    const bbox = head(outputs, `bbox_${stride}`);
    const kps = head(outputs, `kps_${stride}`);
    const cols = Math.floor(inputWidth / stride);
    const cells = cols * Math.floor(inputHeight / stride);
    for (let i = 0; i < cells; i++) {
      const score = Math.sqrt(clamp01(cls[i]!) * clamp01(obj[i]!));
      if (score < scoreThreshold) continue;
      const row = Math.floor(i / cols);
      const col = i % cols;
      const cx = (col + bbox[i * 4]!) * stride;
      const cy = (row + bbox[i * 4 + 1]!) * stride;
      const w = Math.exp(bbox[i * 4 + 2]!) * stride;
      const h = Math.exp(bbox[i * 4 + 3]!) * stride;
      const landmarks: Point[] = [];
      for (let k = 0; k < 5; k++) {
        landmarks.push([(col + kps[i * 10 + 2 * k]!) * stride, (row + kps[i * 10 + 2 * k + 1]!) * stride]);
      }
      faces.push({ box: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, landmarks, score });
    }
  }
  return faces;
}

function head(outputs: YuNetOutputs, name: string): Float32Array {
  const data = outputs[name];
  if (!data) throw new Error(`YuNet output "${name}" is missing: is this the 2023mar model?`);
  return data;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy non-maximum suppression, highest score first. */
export function nonMaxSuppression(faces: DetectedFace[], iouThreshold: number): DetectedFace[] {
  const sorted = [...faces].sort((a, b) => b.score - a.score);
  const kept: DetectedFace[] = [];
  for (const face of sorted) {
    if (kept.every((k) => iou(k.box, face.box) <= iouThreshold)) kept.push(face);
  }
  return kept;
}

/** The dynamic-size model's input for a letterboxed image: its size, padded up to YuNet's largest stride. */
export function dynamicInput(box: Letterbox): { width: number; height: number } {
  const pad = (v: number) => Math.ceil(v / 32) * 32;
  return { width: pad(box.width), height: pad(box.height) };
}

/** Maps a face from letterboxed model space back to the original image. */
export function unletterbox(face: DetectedFace, box: Letterbox): DetectedFace {
  const s = 1 / box.scale;
  return {
    score: face.score,
    box: { x: face.box.x * s, y: face.box.y * s, width: face.box.width * s, height: face.box.height * s },
    landmarks: face.landmarks.map(([x, y]) => [x * s, y * s] as const),
  };
}
