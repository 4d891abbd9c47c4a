import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp, { type Sharp } from 'sharp';

const run = promisify(execFile);

export interface VideoOptions {
  seconds?: number;
  codec?: 'h264' | 'hevc' | 'vp9';
  /** Store the pixels turned 90° and tag the stream so players turn them back, as phones do. */
  rotateTag?: boolean;
}

const ENCODERS = {
  h264: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'],
  hevc: ['-c:v', 'libx265', '-pix_fmt', 'yuv420p', '-x265-params', 'log-level=error'],
  vp9: ['-c:v', 'libvpx-vp9', '-pix_fmt', 'yuv420p', '-deadline', 'realtime', '-cpu-used', '8'],
} as const;

/** A short "selfie video" of a still photo, made with the real ffmpeg. */
export async function videoFromImage(image: string, out: string, options: VideoOptions = {}): Promise<string> {
  const { seconds = 2, codec = 'h264', rotateTag = false } = options;
  // transpose=1 stores the pixels turned 90° clockwise; the rotate=90 tag (a display matrix,
  // written on a stream copy) makes players, and ffmpeg's autorotation, turn them back.
  const filters = ['scale=trunc(iw/2)*2:trunc(ih/2)*2', ...(rotateTag ? ['transpose=1'] : [])];
  const encoded = rotateTag ? `${out}.untagged${path.extname(out)}` : out;
  await run('ffmpeg', [
    '-loglevel', 'error', '-y', '-loop', '1', '-i', image, '-t', String(seconds), '-r', '10',
    '-vf', filters.join(','), ...ENCODERS[codec], encoded,
  ]);
  if (rotateTag) {
    await run('ffmpeg', ['-loglevel', 'error', '-y', '-i', encoded, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', out]);
    await rm(encoded);
  }
  return out;
}

/** A real image file derived from another through sharp (blur, darken, resize, …). */
export async function derivedImage(src: string, out: string, edit: (image: Sharp) => Sharp): Promise<string> {
  await edit(sharp(src)).jpeg({ quality: 92 }).toFile(out);
  return out;
}

/** A real JPEG of smooth coloured noise with no face in it. */
export async function imageWithoutFace(out: string): Promise<string> {
  const width = 640, height = 480;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = (x * 255) / width;
      pixels[i + 1] = (y * 255) / height;
      pixels[i + 2] = 128 + 100 * Math.sin((x + y) / 40);
    }
  }
  await sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg().toFile(out);
  return out;
}
