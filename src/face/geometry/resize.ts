/**
 * Resampling of interleaved RGB for the detector's letterbox, with OpenCV's semantics so that
 * detections match OpenCV's reference to sub-pixel precision: INTER_AREA (exact pixel-coverage
 * box filter) when shrinking, INTER_LINEAR (half-pixel centres) when enlarging.
 *
 * Written for speed on typed arrays: taps live in flat tables of a fixed width, the vertical pass
 * accumulates whole rows (a loop V8 keeps tight), and no per-pixel objects are created.
 */

/** Flat tap table: output i reads `width` inputs from first[i], weighted by weights[i*width + k]. */
interface Taps {
  first: Int32Array;
  weights: Float32Array;
  width: number;
}

function areaTaps(srcLen: number, dstLen: number): Taps {
  const scale = srcLen / dstLen;
  // Every window fits in `width` taps; windows near the end start earlier so reads stay in
  // bounds, and taps outside a window get zero weight from the coverage formula.
  const width = Math.min(srcLen, Math.ceil(scale) + 1);
  const first = new Int32Array(dstLen);
  const weights = new Float32Array(dstLen * width);
  for (let d = 0; d < dstLen; d++) {
    const f0 = d * scale;
    const f1 = Math.min(srcLen, f0 + scale);
    first[d] = Math.min(Math.floor(f0), srcLen - width);
    for (let k = 0; k < width; k++) {
      const s = first[d]! + k;
      weights[d * width + k] = Math.max(0, Math.min(f1, s + 1) - Math.max(f0, s)) / scale;
    }
  }
  return { first, weights, width };
}

function linearTaps(srcLen: number, dstLen: number): Taps {
  // One source pixel: every output is a copy of it (a second tap would read past the row).
  if (srcLen === 1) return { first: new Int32Array(dstLen), weights: new Float32Array(dstLen).fill(1), width: 1 };
  const scale = srcLen / dstLen;
  const first = new Int32Array(dstLen);
  const weights = new Float32Array(dstLen * 2);
  for (let d = 0; d < dstLen; d++) {
    const f = Math.min(srcLen - 1, Math.max(0, (d + 0.5) * scale - 0.5));
    const s = Math.min(Math.floor(f), srcLen - 2);
    first[d] = s;
    weights[d * 2] = 1 - (f - s);
    weights[d * 2 + 1] = f - s;
  }
  return { first, weights, width: 2 };
}

function tapsFor(srcLen: number, dstLen: number): Taps {
  return dstLen < srcLen ? areaTaps(srcLen, dstLen) : linearTaps(srcLen, dstLen);
}

/** Horizontal pass of one source row, resampled to the width of `out`, as floats. */
function horizontalRow(src: Uint8Array, width: number, y: number, taps: Taps | undefined, out: Float32Array): void {
  const srcRow = y * width * 3;
  if (!taps) {
    for (let i = 0; i < out.length; i++) out[i] = src[srcRow + i]!;
    return;
  }
  const { first, weights, width: n } = taps;
  for (let x = 0, o = 0; o < out.length; x++, o += 3) {
    let i = srcRow + first[x]! * 3;
    let r = 0, g = 0, b = 0;
    for (let k = x * n, end = k + n; k < end; k++, i += 3) {
      const w = weights[k]!;
      r += src[i]! * w;
      g += src[i + 1]! * w;
      b += src[i + 2]! * w;
    }
    out[o] = r;
    out[o + 1] = g;
    out[o + 2] = b;
  }
}

/**
 * Resizes and hands each finished output row (interleaved RGB floats, not yet rounded) to `emit`.
 * Rounding and layout are the caller's, so the detector can write its tensor directly.
 *
 * Source rows are resampled horizontally as the vertical pass first needs them, into a ring of
 * as many rows as one output row reads: windows only move down, so the ring always holds the
 * current one. A buffer of every resampled row was 4.7 MB a 0.4 MP ID image, churned per image.
 */
function resizeRows(
  src: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  emit: (y: number, row: Float32Array) => void,
): void {
  const across = outWidth === width ? undefined : tapsFor(width, outWidth);
  const stride = outWidth * 3;
  if (outHeight === height) {
    const row = new Float32Array(stride);
    for (let y = 0; y < outHeight; y++) {
      horizontalRow(src, width, y, across, row);
      emit(y, row);
    }
    return;
  }
  const { first, weights, width: taps } = tapsFor(height, outHeight);
  const ring = new Float32Array(taps * stride);
  const acc = new Float32Array(stride);
  let next = 0;
  for (let y = 0; y < outHeight; y++) {
    const top = first[y]!;
    for (const bottom = Math.min(height, top + taps); next < bottom; next++) {
      const slot = (next % taps) * stride;
      horizontalRow(src, width, next, across, ring.subarray(slot, slot + stride));
    }
    acc.fill(0);
    for (let k = 0; k < taps; k++) {
      const w = weights[y * taps + k]!;
      if (w === 0) continue;
      const base = ((top + k) % taps) * stride;
      for (let i = 0; i < stride; i++) acc[i]! += ring[base + i]! * w;
    }
    emit(y, acc);
  }
}

const clampRound = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

export function resizeRgb(src: Uint8Array, width: number, height: number, outWidth: number, outHeight: number): Uint8Array {
  if (outWidth === width && outHeight === height) return src;
  const out = new Uint8Array(outWidth * outHeight * 3);
  resizeRows(src, width, height, outWidth, outHeight, (y, row) => {
    const o = y * row.length;
    for (let i = 0; i < row.length; i++) out[o + i] = clampRound(row[i]!);
  });
  return out;
}

/** The image scaled down (area-averaged) to fit a `maxEdge` square, sized as the detector's letterbox rounds; as it is when it fits. */
export function shrinkToFit(image: { width: number; height: number; data: Uint8Array }, maxEdge: number): { width: number; height: number; data: Uint8Array } {
  const scale = Math.min(maxEdge / image.width, maxEdge / image.height);
  if (scale >= 1) return image;
  const width = Math.max(1, Math.min(maxEdge, Math.round(image.width * scale)));
  const height = Math.max(1, Math.min(maxEdge, Math.round(image.height * scale)));
  return { width, height, data: resizeRgb(image.data, image.width, image.height, width, height) };
}

/**
 * Resizes RGB into YuNet's input in one go: NCHW, BGR planes, 0..255 floats (rounded to 8-bit
 * values, as OpenCV's uint8 resize would give), placed top-left in a zeroed square of `inputSize`.
 */
export function resizeToBgrPlanes(
  src: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  /** The model input: a square side, or its width and height (a dynamic-size export). */
  input: number | { width: number; height: number },
  /** A tensor of the input's size to fill (its padding is zeroed here); a new one otherwise. */
  into?: Float32Array,
): Float32Array {
  const inputWidth = typeof input === 'number' ? input : input.width;
  const inputHeight = typeof input === 'number' ? input : input.height;
  const plane = inputWidth * inputHeight;
  if (into && into.length !== 3 * plane) throw new Error(`tensor of ${into.length} values for a ${inputWidth}x${inputHeight} input`);
  const tensor = into ?? new Float32Array(3 * plane);
  if (into) zeroPadding(tensor, inputWidth, inputHeight, outWidth, outHeight);
  if (outWidth === width && outHeight === height) {
    // Frames ffmpeg already scaled: a straight copy into the planes, no float row buffers.
    for (let y = 0; y < height; y++) {
      let i = y * width * 3;
      for (let p = y * inputWidth, end = p + width; p < end; p++, i += 3) {
        tensor[p] = src[i + 2]!;
        tensor[plane + p] = src[i + 1]!;
        tensor[2 * plane + p] = src[i]!;
      }
    }
    return tensor;
  }
  resizeRows(src, width, height, outWidth, outHeight, (y, row) => {
    let p = y * inputWidth;
    for (let i = 0; i < row.length; i += 3, p++) {
      tensor[p] = clampRound(row[i + 2]!);
      tensor[plane + p] = clampRound(row[i + 1]!);
      tensor[2 * plane + p] = clampRound(row[i]!);
    }
  });
  return tensor;
}

/** Zeroes what lies right of and below the `width` x `height` image in each of the three planes. */
function zeroPadding(tensor: Float32Array, inputWidth: number, inputHeight: number, width: number, height: number): void {
  const plane = inputWidth * inputHeight;
  for (let c = 0; c < 3; c++) {
    const base = c * plane;
    if (width < inputWidth) for (let y = 0; y < height; y++) tensor.fill(0, base + y * inputWidth + width, base + (y + 1) * inputWidth);
    tensor.fill(0, base + height * inputWidth, base + plane);
  }
}
