import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp, { type Sharp } from 'sharp';
import type { DecoderSettings } from '../src/media/decoder-process.js';
import { probeVideo } from '../src/media/ffprobe.js';
import { demuxerOf } from '../src/media/video-header.js';

const run = promisify(execFile);

/** The decoder binaries on PATH, as the default configuration has them, in the sandbox where this machine can make one. */
export const TEST_DECODER: DecoderSettings = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', timeoutMs: 30_000, searchPath: process.env.PATH ?? '/usr/bin:/bin', sandbox: 'auto' };

/** ffprobe's description of a video, as the API's upload check and the worker's fallback read it. */
export async function ffprobeOf(video: string, decoder: DecoderSettings = TEST_DECODER, maxPixels = 4096 * 4096) {
  return probeVideo(video, await demuxerOf(video), decoder, maxPixels);
}

/** A video's duration as our probe sees it. */
export async function videoDurationMs(video: string): Promise<number> {
  return (await ffprobeOf(video)).durationMs;
}

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

/** A still frame of a video at `seconds`, as PNG: the "ID photo" for a genuine clip of the same person. */
export async function frameAt(video: string, seconds: number, out: string, minEdge = 0): Promise<string> {
  const grow = `scale='if(lt(min(iw,ih),${minEdge}),iw*${minEdge}/min(iw,ih),iw)':-2:flags=lanczos`;
  await run('ffmpeg', ['-loglevel', 'error', '-y', '-ss', String(seconds), '-i', video, '-vf', grow, '-frames:v', '1', out]);
  return out;
}

/** The same video re-encoded with a filter chain (e.g. `hflip,vflip`: a phone held upside down, no rotation tag). */
export async function filteredVideo(video: string, filters: string, out: string, encoderArgs: readonly string[] = []): Promise<string> {
  await run('ffmpeg', ['-loglevel', 'error', '-y', '-i', video, '-an', '-vf', filters, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', ...encoderArgs, out]);
  return out;
}

/**
 * Attack: a printed photo tilted back and forth in front of the camera. Its corners swing in
 * perspective (a flat object turning), so every landmark moves by one homography.
 */
export async function tiltedPhotoVideo(image: string, out: string, seconds = 4): Promise<string> {
  // The perspective filter knows frame numbers, not time: at 15 fps, in/15 is seconds.
  const swing = '(0.5+0.5*sin(2*PI*in/30))';
  const warp =
    `perspective=sense=destination:eval=frame:` +
    `x0='W*0.08*${swing}':y0='H*0.06*${swing}':x1='W-W*0.08*(1-${swing})':y1='H*0.06*(1-${swing})':` +
    `x2='W*0.08*${swing}':y2='H-H*0.06*${swing}':x3='W-W*0.08*(1-${swing})':y3='H-H*0.06*(1-${swing})'`;
  await run('ffmpeg', [
    '-loglevel', 'error', '-y', '-loop', '1', '-i', image, '-t', String(seconds), '-r', '15',
    '-vf', `scale=480:-2,pad=iw+160:ih+120:80:60:color=0x606060,${warp},scale=trunc(iw/2)*2:trunc(ih/2)*2`,
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out,
  ]);
  return out;
}

/**
 * Attack: a photo shown on a phone or monitor filmed by a shaky hand: the picture inside a dark
 * bezel on a cluttered background, with the screen's line pattern, drifting across the frame.
 */
export async function screenReplayVideo(image: string, out: string, seconds = 4): Promise<string> {
  await run('ffmpeg', [
    '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=960x720:rate=15:duration=${seconds}`,
    '-loop', '1', '-i', image,
    '-filter_complex',
    `[1:v]format=yuv420p,scale=-2:620,eq=brightness=0.06:saturation=1.3,` +
      `geq=lum='lum(X,Y)*(0.95+0.05*sin(Y*2.2))':cb='cb(X,Y)':cr='cr(X,Y)',pad=iw+30:ih+40:15:20:color=0x101010,format=yuv420p[screen];` +
      `[0:v][screen]overlay=x='(W-w)/2+30*sin(t*1.7)':y='20+15*sin(t*2.3)':shortest=1,scale=640:480`,
    '-t', String(seconds), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out,
  ]);
  return out;
}

/** A made-up ID card: the portrait of `photo` on the left of a card with printed fields, as a PNG. */
export async function idCardImage(photo: string, out: string): Promise<string> {
  const portrait = await sharp(photo).rotate().resize(300, 380, { fit: 'cover', position: 'attention' }).toBuffer();
  const fields = Array.from({ length: 6 }, (_, i) => `<rect x="370" y="${150 + i * 50}" width="${360 - i * 30}" height="16" fill="#334" />`).join('');
  const svg = `<svg width="856" height="540" xmlns="http://www.w3.org/2000/svg">
    <rect width="856" height="540" rx="30" fill="#cfe3ef"/><rect y="0" width="856" height="90" fill="#2f5d8a"/>
    <rect x="30" y="20" width="300" height="40" fill="#e8f1f7"/>${fields}
    <circle cx="740" cy="430" r="60" fill="none" stroke="#8ab" stroke-width="6"/></svg>`;
  await sharp(Buffer.from(svg)).composite([{ input: portrait, left: 40, top: 150 }]).png().toFile(out);
  return out;
}

/** Attack: the ID card itself filmed close up by a hand that drifts a little. */
export async function filmedCardVideo(card: string, out: string, seconds = 4): Promise<string> {
  await run('ffmpeg', [
    '-loglevel', 'error', '-y', '-loop', '1', '-i', card, '-t', String(seconds), '-r', '15',
    '-vf',
    `pad=iw+200:ih+160:100:80:color=0x5a4a3a,scale=1200:-2,` +
      `crop=w='iw*0.62':h='ih*0.62':x='iw*0.04+30*sin(t*1.9)':y='ih*0.2+20*sin(t*1.1)',` +
      `scale=720:-2,scale=trunc(iw/2)*2:trunc(ih/2)*2`,
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out,
  ]);
  return out;
}

/**
 * A real head turn followed by its mirror image: a turn to one side, then to the other. With
 * `mirroredFirst`, the mirrored turn comes first. Mirroring keeps the video live (same motion,
 * same skin, same camera) and flips the direction of the turn.
 */
export async function turnBothWaysVideo(video: string, startS: number, seconds: number, out: string, mirroredFirst = false): Promise<string> {
  const order = mirroredFirst ? '[m][a]' : '[a][m]';
  await run('ffmpeg', [
    '-loglevel', 'error', '-y', '-ss', String(startS), '-t', String(seconds), '-i', video,
    '-filter_complex', `[0:v]split[a][b];[b]hflip[m];${order}concat=n=2:v=1:a=0[v]`, '-map', '[v]',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out,
  ]);
  return out;
}

/** CRC-32 (PNG's chunk checksum). */
function crc32(bytes: Buffer): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A decompression bomb: a few hundred bytes of well-formed PNG (valid IHDR, IDAT, IEND) whose
 * header declares `width` x `height` pixels.
 */
export function pngBombBytes(width = 16_000, height = 16_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  const idat = deflateSync(Buffer.alloc(1 + width * 3)); // one row; the rest would come later
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export async function pngBomb(out: string): Promise<string> {
  await writeFile(out, pngBombBytes());
  return out;
}

/** A short real video of a solid colour, any size and codec ffmpeg can encode. */
export async function solidVideo(out: string, size: string, codec: string[] = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']): Promise<string> {
  await run('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=c=gray:s=${size}:d=0.2:r=5`, ...codec, out]);
  return out;
}

/** A real video of a moving test pattern: plenty of motion, no face anywhere. */
export async function noFaceVideo(out: string, seconds = 2): Promise<string> {
  await run('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=s=640x480:d=${seconds}:r=15`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', out]);
  return out;
}

/** A real video whose movie, track and media headers claim it lasts `claimedMs` (a patched mvhd). */
export async function forgedDurationVideo(out: string, seconds: number, claimedMs: number): Promise<string> {
  await run('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=s=320x240:d=${seconds}:r=10`, '-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '0', '-pix_fmt', 'yuv420p', out]);
  const bytes = await readFile(out);
  // Field offsets from the box type, for version-0 boxes (what ffmpeg writes).
  const fields: Record<string, { timescaleAt?: number; durationAt: number }> = {
    mvhd: { timescaleAt: 16, durationAt: 20 },
    tkhd: { durationAt: 24 },
    mdhd: { timescaleAt: 16, durationAt: 20 },
  };
  let movieTimescale = 1000;
  for (const [type, at] of Object.entries(fields)) {
    for (let i = bytes.indexOf(type); i >= 0; i = bytes.indexOf(type, i + 4)) {
      const timescale = at.timescaleAt ? bytes.readUInt32BE(i + at.timescaleAt) : movieTimescale;
      if (type === 'mvhd') movieTimescale = timescale;
      bytes.writeUInt32BE(Math.round((claimedMs * timescale) / 1000), i + at.durationAt);
    }
  }
  await writeFile(out, bytes);
  return out;
}
