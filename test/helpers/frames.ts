import path from 'node:path';
import sharp from 'sharp';
import { streamFrames, type FrameSampling } from '../../src/face/decode/video-frames.js';
import { TEST_DECODER } from '../../dev/media.js';

/** Our sampled frames as lossless PNG files, so the Python reference can read the very same pixels. */
export async function framesAsPng(video: string, sampling: FrameSampling, dir: string): Promise<{ path: string; timestampMs: number }[]> {
  const out: { path: string; timestampMs: number }[] = [];
  for await (const frame of streamFrames(video, sampling, TEST_DECODER)) {
    const file = path.join(dir, `frame-${String(frame.timestampMs).padStart(6, '0')}.png`);
    await sharp(frame.image.data, { raw: { width: frame.image.width, height: frame.image.height, channels: 3 } }).png().toFile(file);
    out.push({ path: file, timestampMs: frame.timestampMs });
  }
  return out;
}
