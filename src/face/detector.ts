import * as ort from 'onnxruntime-node';
import type { LoadedModel } from './model-loader.js';
import { resizeRgb } from './resize.js';
import type { DetectedFace, RgbImage } from './types.js';
import { decodeYuNet, letterbox, nonMaxSuppression, toYuNetTensor, unletterbox } from './yunet.js';

export interface DetectorSettings {
  scoreThreshold: number;
  nmsThreshold: number;
}

/** YuNet on an ONNX session: any image size in, faces in that image's coordinates out, best first. */
export class YuNetDetector {
  readonly inputSize: number;

  constructor(
    private readonly model: LoadedModel,
    private readonly settings: DetectorSettings,
  ) {
    const meta = model.session.inputMetadata[0];
    const dims = meta && meta.isTensor ? meta.shape : [];
    const side = dims[2];
    // The 2023mar export has a fixed 640x640 input; dynamic exports report a symbolic size.
    this.inputSize = typeof side === 'number' && side > 0 ? side : 640;
  }

  async detect(image: RgbImage): Promise<DetectedFace[]> {
    const box = letterbox(image.width, image.height, this.inputSize);
    const resized = resizeRgb(image.data, image.width, image.height, box.width, box.height);
    const input = new ort.Tensor('float32', toYuNetTensor(resized, box.width, box.height, this.inputSize), [
      1, 3, this.inputSize, this.inputSize,
    ]);
    const results = await this.model.session.run({ [this.model.session.inputNames[0]!]: input });
    const outputs: Record<string, Float32Array> = {};
    for (const [name, tensor] of Object.entries(results)) outputs[name] = tensor.data as Float32Array;
    const faces = nonMaxSuppression(
      decodeYuNet(outputs, this.inputSize, this.settings.scoreThreshold),
      this.settings.nmsThreshold,
    );
    return faces.map((face) => unletterbox(face, box));
  }
}
