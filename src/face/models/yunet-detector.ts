import type { OnnxRunner } from './onnx-runner.js';
import type { FaceDetector } from '../ports.js';
import { resizeToBgrPlanes } from '../geometry/resize.js';
import type { DetectedFace, RgbImage } from '../types.js';
import { TensorPool } from './tensor-pool.js';
import { decodeYuNet, dynamicInput, letterbox, nonMaxSuppression, unletterbox } from './yunet.js';

/** Border added on each side, as a fraction of the image size, when a first look finds nothing. */
const EDGE_PAD_FRACTION = 0.3;
/**
 * A largest face under this many pixels at the detector's input (a big frame shrunk to fit) is
 * looked at again in a crop around it, at up to the image's own resolution: landmarks placed on
 * a 25-pixel face are a few pixels off, and the alignment and the score inherit the error.
 */
const REFINE_BELOW_INPUT_PX = 48;
/** The crop's side, as a multiple of the face box's longer side: room for YuNet's context. */
const REFINE_CROP_FACTOR = 3;
/** The crop is looked at no smaller than this (the face then about 96 px), and no larger than it is. */
const REFINE_MIN_INPUT = 288;

/** The pixels of `image` inside the rectangle (clamped to the image). */
export function cropImage(image: RgbImage, left: number, top: number, width: number, height: number): { image: RgbImage; offset: { x: number; y: number } } {
  const x0 = Math.max(0, Math.floor(left));
  const y0 = Math.max(0, Math.floor(top));
  const x1 = Math.min(image.width, Math.ceil(left + width));
  const y1 = Math.min(image.height, Math.ceil(top + height));
  const w = Math.max(1, x1 - x0);
  const h = Math.max(1, y1 - y0);
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const from = ((y0 + y) * image.width + x0) * 3;
    data.set(image.data.subarray(from, from + w * 3), y * w * 3);
  }
  return { image: { width: w, height: h, data }, offset: { x: x0, y: y0 } };
}

const shifted = (face: DetectedFace, offset: { x: number; y: number }): DetectedFace => ({
  score: face.score,
  box: { ...face.box, x: face.box.x + offset.x, y: face.box.y + offset.y },
  landmarks: face.landmarks.map(([x, y]) => [x + offset.x, y + offset.y] as const),
});

export function padImage(image: RgbImage, fraction: number): { image: RgbImage; offset: { x: number; y: number } } {
  const px = Math.round(image.width * fraction);
  const py = Math.round(image.height * fraction);
  const width = image.width + 2 * px;
  const height = image.height + 2 * py;
  const data = new Uint8Array(width * height * 3);
  const rowBytes = image.width * 3;
  for (let y = 0; y < image.height; y++) {
    data.set(image.data.subarray(y * rowBytes, (y + 1) * rowBytes), ((y + py) * width + px) * 3);
  }
  return { image: { width, height, data }, offset: { x: px, y: py } };
}

const area = (f: DetectedFace) => f.box.width * f.box.height;
const centreDistance = (a: DetectedFace, b: DetectedFace) =>
  Math.hypot(a.box.x + a.box.width / 2 - (b.box.x + b.box.width / 2), a.box.y + a.box.height / 2 - (b.box.y + b.box.height / 2));

export interface DetectorSettings {
  scoreThreshold: number;
  nmsThreshold: number;
}

/** YuNet on an ONNX session: any image size in, faces in that image's coordinates out, best first. */
export class YuNetDetector implements FaceDetector {
  /** The square the image is scaled to fit (640 for 2023mar). */
  readonly inputSize: number;
  /** A dynamic-size model runs at the letterboxed image's own size (model-variants.ts), not the whole square. */
  readonly dynamic: boolean;

  /** Input tensors kept for reuse: a fresh 3 MB one per frame cost more in page faults than filling it. */
  private readonly inputs: TensorPool;

  constructor(
    private readonly runner: OnnxRunner,
    private readonly settings: DetectorSettings,
  ) {
    const meta = runner.model.session.inputMetadata[0];
    const dims = meta && meta.isTensor ? meta.shape : [];
    const side = dims[2];
    // The 2023mar export has a fixed 640x640 input; dynamic exports report a symbolic size.
    this.dynamic = !(typeof side === 'number' && side > 0);
    this.inputSize = this.dynamic ? 640 : (side as number);
    // Every letterbox fits the square, padded or not (dynamicInput rounds up to at most inputSize).
    this.inputs = new TensorPool(3 * this.inputSize * this.inputSize);
  }

  /** Input buffers made and reused so far (tests check that frames reuse them). */
  get inputStats(): { allocated: number; reused: number } {
    return { ...this.inputs.stats };
  }

  /**
   * `retryPadded`: when nothing is found, look again with a border around the image. YuNet misses
   * a face that fills the whole frame (a tight passport crop).
   */
  async detect(image: RgbImage, options: { retryPadded?: boolean; maxInputEdge?: number } = {}): Promise<DetectedFace[]> {
    // A fixed-size model costs the same whatever part of its input is padding.
    const target = this.dynamic && options.maxInputEdge ? Math.min(this.inputSize, options.maxInputEdge) : this.inputSize;
    const faces = await this.detectOnce(image, target);
    if (faces.length > 0) return options.maxInputEdge ? faces : this.refineLargest(image, faces, target);
    if (!options.retryPadded) return faces;
    const { image: padded, offset } = padImage(image, EDGE_PAD_FRACTION);
    const found = await this.detectOnce(padded, target);
    return found.map((face) => shifted(face, { x: -offset.x, y: -offset.y }));
  }

  /** The largest face, when small at the detector's input, found again in a crop around it (see REFINE_BELOW_INPUT_PX). */
  private async refineLargest(image: RgbImage, faces: DetectedFace[], target: number): Promise<DetectedFace[]> {
    const scale = Math.min(1, target / Math.max(image.width, image.height));
    let largest = 0;
    for (let i = 1; i < faces.length; i++) if (area(faces[i]!) > area(faces[largest]!)) largest = i;
    const face = faces[largest]!;
    if (scale >= 1 || Math.min(face.box.width, face.box.height) * scale >= REFINE_BELOW_INPUT_PX) return faces;
    const side = REFINE_CROP_FACTOR * Math.max(face.box.width, face.box.height);
    const cx = face.box.x + face.box.width / 2;
    const cy = face.box.y + face.box.height / 2;
    const { image: crop, offset } = cropImage(image, cx - side / 2, cy - side / 2, side, side);
    // A dynamic-size model costs what its input holds: the crop at its own size (enlarged to
    // REFINE_MIN_INPUT at most), not blown up to the whole square.
    const cropTarget = this.dynamic ? Math.min(target, Math.max(REFINE_MIN_INPUT, crop.width, crop.height)) : target;
    // The same face again: the one in the crop nearest the crop's centre.
    const again = (await this.detectOnce(crop, cropTarget)).map((f) => shifted(f, offset));
    const nearest = again.reduce<DetectedFace | undefined>((best, f) => (best === undefined || centreDistance(f, face) < centreDistance(best, face) ? f : best), undefined);
    if (!nearest || centreDistance(nearest, face) > Math.max(face.box.width, face.box.height) / 2) return faces;
    return faces.map((f, i) => (i === largest ? nearest : f));
  }

  private async detectOnce(image: RgbImage, target: number): Promise<DetectedFace[]> {
    const box = letterbox(image.width, image.height, target);
    // The same scale either way: only the zero padding right and below differs.
    const size = this.dynamic ? dynamicInput(box) : { width: this.inputSize, height: this.inputSize };
    const pixels = resizeToBgrPlanes(image.data, image.width, image.height, box.width, box.height, size, this.inputs.take(size));
    let outputs: Record<string, Float32Array>;
    try {
      outputs = await this.runner.run(pixels, [1, 3, size.height, size.width]);
    } finally {
      this.inputs.give(pixels);
    }
    const faces = nonMaxSuppression(
      decodeYuNet(outputs, size, this.settings.scoreThreshold),
      this.settings.nmsThreshold,
    );
    return faces.map((face) => unletterbox(face, box));
  }
}
