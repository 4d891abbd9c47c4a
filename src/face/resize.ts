/**
 * Resampling of interleaved RGB for the detector's letterbox, with OpenCV's semantics so that
 * detections match OpenCV's reference to sub-pixel precision: INTER_AREA (exact pixel-coverage
 * box filter) when shrinking, INTER_LINEAR (half-pixel centres) when enlarging.
 */

interface Tap {
  first: number;
  weights: Float64Array;
}

/** For each output index, the input indices it covers and by how much (weights sum to 1). */
function areaTaps(srcLen: number, dstLen: number): Tap[] {
  const scale = srcLen / dstLen;
  const taps: Tap[] = [];
  for (let d = 0; d < dstLen; d++) {
    const f0 = d * scale;
    const f1 = Math.min(srcLen, f0 + scale);
    const first = Math.floor(f0);
    const last = Math.min(srcLen - 1, Math.ceil(f1) - 1);
    const weights = new Float64Array(last - first + 1);
    for (let s = first; s <= last; s++) weights[s - first] = Math.max(0, Math.min(f1, s + 1) - Math.max(f0, s)) / scale;
    taps.push({ first, weights });
  }
  return taps;
}

/** Half-pixel-centre linear taps, edges clamped (cv::resize INTER_LINEAR). */
function linearTaps(srcLen: number, dstLen: number): Tap[] {
  const scale = srcLen / dstLen;
  const taps: Tap[] = [];
  for (let d = 0; d < dstLen; d++) {
    const f = Math.min(srcLen - 1, Math.max(0, (d + 0.5) * scale - 0.5));
    const first = Math.min(Math.floor(f), Math.max(0, srcLen - 2));
    const t = f - first;
    taps.push(srcLen === 1 ? { first: 0, weights: Float64Array.of(1) } : { first, weights: Float64Array.of(1 - t, t) });
  }
  return taps;
}

function tapsFor(srcLen: number, dstLen: number): Tap[] {
  return dstLen < srcLen ? areaTaps(srcLen, dstLen) : linearTaps(srcLen, dstLen);
}

export function resizeRgb(src: Uint8Array, width: number, height: number, outWidth: number, outHeight: number): Uint8Array {
  if (outWidth === width && outHeight === height) return src;
  const xTaps = tapsFor(width, outWidth);
  const yTaps = tapsFor(height, outHeight);
  // Horizontal pass into floats, then vertical pass with rounding, as OpenCV's separable resize.
  const rows = new Float32Array(height * outWidth * 3);
  for (let y = 0; y < height; y++) {
    const srcRow = y * width * 3;
    const dstRow = y * outWidth * 3;
    for (let x = 0; x < outWidth; x++) {
      const { first, weights } = xTaps[x]!;
      let r = 0, g = 0, b = 0;
      for (let k = 0; k < weights.length; k++) {
        const w = weights[k]!;
        const i = srcRow + (first + k) * 3;
        r += src[i]! * w;
        g += src[i + 1]! * w;
        b += src[i + 2]! * w;
      }
      const o = dstRow + x * 3;
      rows[o] = r;
      rows[o + 1] = g;
      rows[o + 2] = b;
    }
  }
  const out = new Uint8Array(outWidth * outHeight * 3);
  const stride = outWidth * 3;
  for (let y = 0; y < outHeight; y++) {
    const { first, weights } = yTaps[y]!;
    const o = y * stride;
    for (let i = 0; i < stride; i++) {
      let v = 0;
      for (let k = 0; k < weights.length; k++) v += rows[(first + k) * stride + i]! * weights[k]!;
      out[o + i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return out;
}
