import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { decodeImage } from '../../src/face/decode/image-decoder.js';
import { largestFace } from '../../src/face/decision/verdict.js';
import type { FaceAnalysis } from '../../src/face/pipeline.js';
import type { Box, RgbImage } from '../../src/face/types.js';

const run = promisify(execFile);

/**
 * The captures a genuine customer produces, made from one still photo: how a phone frames a
 * selfie (close, far, cut at the chin, grey) and how an ID portrait arrives (small, soft). Each
 * is a pure function of the photo and its face box, so a set is reproducible from its pairs.
 */
export const SELFIE_TRANSFORMS = ['photo', 'closeup', 'overflow', 'small-4k', 'grey'] as const;
export type SelfieTransform = (typeof SELFIE_TRANSFORMS)[number];
export const ID_TRANSFORMS = ['photo', 'small', 'grey'] as const;
export type IdTransform = (typeof ID_TRANSFORMS)[number];

export interface Source {
  file: string;
  width: number;
  height: number;
  /** The largest face, in the photo's pixels. */
  face: Box;
}

/** A photo and its largest face as the detector finds it; null when it finds none. */
export async function faceSource(file: string, analyzer: { analyze(image: RgbImage): Promise<FaceAnalysis> }): Promise<Source | null> {
  const image = await decodeImage(file);
  const face = largestFace((await analyzer.analyze(image)).faces);
  return face ? { file, width: image.width, height: image.height, face: face.box } : null;
}

/** A selfie video of `transform` of the photo `src`, made in `dir`. */
export async function selfieVideo(src: Source, transform: SelfieTransform, dir: string, ffmpeg = 'ffmpeg'): Promise<string> {
  const stem = `${fileStem(src.file)}-${transform}`;
  return videoOfStill(await selfieStill(src, transform, path.join(dir, `${stem}.png`)), path.join(dir, `${stem}.mp4`), ffmpeg);
}

/** A rectangle clamped to the photo and rounded to even pixels (the encoder's 4:2:0 wants them). */
function region(src: Source, left: number, top: number, right: number, bottom: number) {
  const l = Math.max(0, Math.floor(left));
  const t = Math.max(0, Math.floor(top));
  const w = Math.min(src.width - l, Math.ceil(right) - l);
  const h = Math.min(src.height - t, Math.ceil(bottom) - t);
  return { left: l, top: t, width: w, height: h };
}

/** The still the selfie video is filmed from, as a PNG (lossless: the video's encoder is the only loss). */
export async function selfieStill(src: Source, transform: SelfieTransform, out: string): Promise<string> {
  const f = src.face;
  switch (transform) {
    case 'photo':
      await sharp(src.file).rotate().resize({ width: 1280, height: 1280, fit: 'inside', withoutEnlargement: true }).png().toFile(out);
      break;
    case 'closeup':
      // Forehead to chin, ear to ear: the phone held at arm's length minus the arm, scaled to 720 px.
      await sharp(src.file).rotate().extract(region(src, f.x - 0.05 * f.width, f.y - 0.12 * f.height, f.x + 1.05 * f.width, f.y + 1.02 * f.height)).resize({ width: 720 }).png().toFile(out);
      break;
    case 'overflow':
      // Closer still: the frame cuts through the forehead, the cheeks and the chin.
      await sharp(src.file).rotate().extract(region(src, f.x + 0.06 * f.width, f.y + 0.04 * f.height, f.x + 0.94 * f.width, f.y + 0.93 * f.height)).resize({ width: 720 }).png().toFile(out);
      break;
    case 'small-4k': {
      // A 4K frame with the face about 150 px tall: someone filmed from across a room.
      const scale = 150 / f.height;
      const width = Math.max(1, Math.round(src.width * scale));
      const height = Math.max(1, Math.round(src.height * scale));
      const photo = await sharp(src.file).rotate().resize({ width, height, fit: 'fill' }).png().toBuffer();
      const canvas = { width: 3840, height: 2160 };
      const left = Math.max(0, Math.round(canvas.width / 2 - (f.x + f.width / 2) * scale));
      const top = Math.max(0, Math.round(canvas.height / 2 - (f.y + f.height / 2) * scale));
      await sharp({ create: { ...canvas, channels: 3, background: { r: 96, g: 104, b: 110 } } })
        .composite([{ input: photo, left: Math.min(left, canvas.width - Math.min(width, canvas.width)), top: Math.min(top, canvas.height - Math.min(height, canvas.height)) }])
        .png()
        .toFile(out);
      break;
    }
    case 'grey':
      await sharp(src.file).rotate().resize({ width: 1280, height: 1280, fit: 'inside', withoutEnlargement: true }).greyscale().png().toFile(out);
      break;
  }
  return out;
}

/** The ID image: the photo as it is, a small press-style portrait, or a grey one. */
export async function idImage(src: Source, transform: IdTransform, out: string): Promise<string> {
  const f = src.face;
  switch (transform) {
    case 'photo':
      return src.file;
    case 'small': {
      // A 250×250 portrait, the face about 96 px: sharp at its own size, small in pixels.
      const side = Math.max(f.width, f.height) * 2.6;
      const cx = f.x + f.width / 2;
      const cy = f.y + f.height / 2;
      await sharp(src.file).rotate().extract(region(src, cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)).resize(250, 250, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(out);
      return out;
    }
    case 'grey':
      await sharp(src.file).rotate().greyscale().jpeg({ quality: 92 }).toFile(out);
      return out;
  }
}

/** A 2 s selfie "video" of a still, H.264 at 10 fps, as a phone's encoder would give it. */
export async function videoOfStill(still: string, out: string, ffmpeg = 'ffmpeg'): Promise<string> {
  await run(ffmpeg, ['-loglevel', 'error', '-y', '-loop', '1', '-i', still, '-t', '2', '-r', '10', '-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out]);
  return out;
}

export const setName = (id: IdTransform, selfie: SelfieTransform) => `id:${id}+selfie:${selfie}`;
export const fileStem = (file: string) => path.basename(file, path.extname(file));
