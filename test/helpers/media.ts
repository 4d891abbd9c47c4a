import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);

/** A short H.264 "selfie video" of a still photo, made with the real ffmpeg. */
export async function videoFromImage(image: string, out: string, seconds = 2): Promise<string> {
  await run('ffmpeg', [
    '-loglevel', 'error', '-y', '-loop', '1', '-i', image, '-t', String(seconds), '-r', '10',
    '-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out,
  ]);
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
