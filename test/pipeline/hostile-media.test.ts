// Media is hostile until decoded safely: the worker refuses, from headers and before decoding,
// what could exhaust it or make ffmpeg read anything but the one file it was handed.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaRejectedError } from '../../src/face/errors.js';
import { decodeImage } from '../../src/face/image-decoder.js';
import { probeVideo, streamFrames } from '../../src/face/video-frames.js';
import { testConfig } from '../helpers/face-pipeline.js';
import { pngBomb, solidVideo } from '../helpers/media.js';
import { fixture } from '../helpers/paths.js';

let dir: string;
const file = (name: string) => path.join(dir, name);
const sampling = testConfig().face.video;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kyc-hostile-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(MediaRejectedError);
  return (err as MediaRejectedError).reason;
}

async function firstFrame(video: string) {
  for await (const frame of streamFrames(video, sampling)) return frame;
  return undefined;
}

describe('images', () => {
  it('refuses a 16k x 16k PNG bomb from its header, before decoding a pixel', async () => {
    const bomb = await pngBomb(file('bomb.png'));
    expect(await reasonOf(decodeImage(bomb, testConfig().face.imageMaxPixels))).toBe('IMAGE_TOO_LARGE');
  });
});

describe('videos', () => {
  it('never follows a playlist: a blob that is an HLS playlist naming a local file is not a video', async () => {
    const playlist = file('selfie');
    await writeFile(playlist, `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n${fixture('short_hamilton_clip.mp4')}\n#EXT-X-ENDLIST\n`);
    expect(await reasonOf(probeVideo(playlist, 10_000))).toBe('UNREADABLE_VIDEO');
    expect(await reasonOf(firstFrame(playlist))).toBe('UNREADABLE_VIDEO');
  });

  it('refuses a frame larger than VIDEO_MAX_PIXELS before decoding it', async () => {
    const huge = await solidVideo(file('huge.mp4'), '4200x4200');
    expect(await reasonOf(firstFrame(huge))).toBe('VIDEO_TOO_LARGE');
  });

  it('refuses codecs phones do not record in, before starting a decoder', async () => {
    const mjpeg = await solidVideo(file('mjpeg.mov'), '320x240', ['-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p']);
    expect(await reasonOf(firstFrame(mjpeg))).toBe('UNREADABLE_VIDEO');
  });

  it('says what is wrong in its own words: no decoder output, no server path', async () => {
    const webm = await readFile(await solidVideo(file('cut.webm'), '320x240', ['-c:v', 'libvpx-vp9', '-deadline', 'realtime']));
    const cut = file('cut-in-half.webm');
    await writeFile(cut, webm.subarray(0, 60));
    const err = await firstFrame(cut).then(() => undefined, (e: unknown) => e as MediaRejectedError);
    expect(err?.reason).toBe('UNREADABLE_VIDEO');
    expect(err?.message).not.toContain(dir);
    expect(err?.message).not.toMatch(/matroska|EBML|Invalid data/i);
    expect(err?.diagnostic, 'the details stay available for our logs').toBeTruthy();
  });

  it('still decodes a normal phone video', async () => {
    expect((await firstFrame(fixture('short_hamilton_clip.mp4')))?.image.width).toBe(640);
  });
});
