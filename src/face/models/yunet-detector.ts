import type { OnnxRunner } from './onnx-runner.js';
import type { FaceDetector } from '../ports.js';
import { resizeToBgrPlanes } from '../geometry/resize.js';
import type { DetectedFace, RgbImage } from '../types.js';
import { TensorPool } from './tensor-pool.js';
import { decodeYuNet, dynamicInput, letterbox, nonMaxSuppression, unletterbox } from './yunet.js';

/** Border added on each side, as a fraction of the image size, when a first look finds nothing. */
const EDGE_PAD_FRACTION = 0.3;

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
    if (faces.length > 0 || !options.retryPadded) return faces;
    const { image: padded, offset } = padImage(image, EDGE_PAD_FRACTION);
    const found = await this.detectOnce(padded, target);
    return found.map((face) => ({
      score: face.score,
      box: { ...face.box, x: face.box.x - offset.x, y: face.box.y - offset.y },
      landmarks: face.landmarks.map(([x, y]) => [x - offset.x, y - offset.y] as const),
    }));
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
