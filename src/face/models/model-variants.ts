import { OnnxModelPatch } from './onnx-patch.js';

/**
 * YuNet 2023mar with its input size left open: the network is fully convolutional and its
 * reshapes are [1, -1, k], so it runs at a frame's own aspect ratio (640×384 for a 16:9 frame,
 * 60 % of the pixels of the 640×640 letterbox) with the same weights.
 */
export function dynamicSizeYuNet(bytes: Uint8Array): Uint8Array {
  const model = new OnnxModelPatch(bytes);
  const [input] = model.names('input');
  model.setShape('input', input!, [1, 3, 'height', 'width']);
  for (const output of model.names('output')) {
    const dims = model.shapeOf('output', output);
    model.setShape('output', output, dims.map((d, i) => (i === 1 ? null : d)));
  }
  return model.dropValueInfo().bytes();
}

/**
 * A model exported with batch 1 and flattened by one Reshape to [1, -1] (MobileFaceNet's
 * [1,3,112,112] → [1,128], MiniFASNet's [1,3,80,80] → [1,3]) with its batch dimension left open:
 * the Reshape keeps the batch ([0, -1]), and the inner shape hints, stale now, are dropped.
 */
export function batchDynamic(bytes: Uint8Array): Uint8Array {
  const model = new OnnxModelPatch(bytes);
  const [input] = model.names('input');
  const [output] = model.names('output');
  model.setShape('input', input!, ['batch', ...model.shapeOf('input', input!).slice(1)]);
  model.setShape('output', output!, ['batch', ...model.shapeOf('output', output!).slice(1)]);
  const reshapes = model.secondInputsOf('Reshape');
  if (reshapes.length !== 1) throw new Error(`expected one Reshape to make the batch dynamic, found ${reshapes.length}`);
  model.setConstantInt64(reshapes[0]!, [0n, -1n]);
  return model.dropValueInfo().bytes();
}
