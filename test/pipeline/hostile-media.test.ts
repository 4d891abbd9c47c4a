// Media is hostile until decoded safely: the worker refuses, from headers and before decoding,
// what could exhaust it or make ffmpeg read anything but the one file it was handed.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaRejectedError } from '../../src/media/errors.js';
import { decodeImage } from '../../src/face/decode/image-decoder.js';
import { streamFrames } from '../../src/face/decode/video-frames.js';
import { readVideoHeader } from '../../src/media/video-header.js';
import { testConfig } from '../../dev/face-pipeline.js';
import { TEST_DECODER, ffprobeOf, forgedDurationVideo, pngBomb, solidVideo } from '../../dev/media.js';
import { fixture } from '../../dev/paths.js';

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
  for await (const frame of streamFrames(video, sampling, TEST_DECODER)) return frame;
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
    expect(await reasonOf(readVideoHeader(playlist, TEST_DECODER, { maxPixels: sampling.maxPixels }))).toBe('UNREADABLE_VIDEO');
    expect(await reasonOf(firstFrame(playlist))).toBe('UNREADABLE_VIDEO');
  });

  it('refuses a frame larger than VIDEO_MAX_PIXELS before decoding it, in every container', async () => {
    const huge = await solidVideo(file('huge.mp4'), '4200x4200');
    expect(await reasonOf(firstFrame(huge))).toBe('VIDEO_TOO_LARGE');
    // WebM's header is ffprobe's to read, and reading it decodes a first frame: under -max_pixels too.
    const webm = await solidVideo(file('huge.webm'), '3000x3000', ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8']);
    expect(await reasonOf(ffprobeOf(webm, TEST_DECODER, 1000 * 1000))).toBe('VIDEO_TOO_LARGE');
    const strict = { ...sampling, maxPixels: 1000 * 1000 };
    expect(await reasonOf((async () => {
      for await (const frame of streamFrames(webm, strict, TEST_DECODER)) return frame;
    })())).toBe('VIDEO_TOO_LARGE');
  });

  it('decodes only the stream it checked: a second video stream is refused, whatever its size', async () => {
    const two = file('two-streams.mp4');
    await solidVideo(two, '320x240', ['-f', 'lavfi', '-i', 'color=c=red:s=4000x4000:d=1', '-map', '0:v', '-map', '1:v', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']);
    const err = await firstFrame(two).then(() => undefined, (e: unknown) => e as MediaRejectedError);
    expect(err?.reason).toBe('UNREADABLE_VIDEO');
    expect(err?.message).toMatch(/2 video tracks/);
    const webm = file('two-streams.webm');
    await solidVideo(webm, '320x240', ['-f', 'lavfi', '-i', 'color=c=red:s=640x480:d=1', '-map', '0:v', '-map', '1:v', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8']);
    expect(await reasonOf(firstFrame(webm))).toBe('UNREADABLE_VIDEO');
  });

  it('holds the bitstream to VIDEO_MAX_PIXELS when the header understates the frame size', async () => {
    // The in-process header reader trusts the sample entry's size; the decoder must not.
    const real = await readFile(await solidVideo(file('understated.mp4'), '1280x720'));
    const at = real.indexOf('avc1', real.indexOf('stsd'));
    real.writeUInt16BE(320, at + 28);
    real.writeUInt16BE(180, at + 30);
    const forged = file('understated-forged.mp4');
    await writeFile(forged, real);
    expect((await readVideoHeader(forged, TEST_DECODER, { maxPixels: sampling.maxPixels })).probe).toMatchObject({ width: 320, height: 180 });
    const strict = { ...sampling, maxPixels: 640 * 360 };
    const err = await (async () => {
      for await (const frame of streamFrames(forged, strict, TEST_DECODER)) return frame;
    })().then(() => undefined, (e: unknown) => e as MediaRejectedError);
    expect(err?.reason).toBe('UNREADABLE_VIDEO');
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

  it('takes the duration from the packets, not from a patched header', async () => {
    const forged = await forgedDurationVideo(file('forged.mp4'), 6, 500);
    const probe = await ffprobeOf(forged);
    expect(probe.frameCount).toBe(60);
    expect(probe.durationMs).toBeGreaterThanOrEqual(5900);
    const strict = { ...sampling, maxDurationMs: 3000 };
    const err = await (async () => {
      for await (const frame of streamFrames(forged, strict, TEST_DECODER)) return frame;
    })().then(() => undefined, (e: unknown) => e as MediaRejectedError);
    expect(err?.reason).toBe('VIDEO_TOO_LONG');
  });

  it('refuses a stream with more frames than VIDEO_MAX_FRAME_COUNT before decoding', async () => {
    const long = await forgedDurationVideo(file('many-frames.mp4'), 6, 6000);
    const err = await (async () => {
      for await (const frame of streamFrames(long, { ...sampling, maxFrameCount: 30 }, TEST_DECODER)) return frame;
    })().then(() => undefined, (e: unknown) => e as MediaRejectedError);
    expect(err?.reason).toBe('VIDEO_TOO_LARGE');
  });

  it('runs ffmpeg and ffprobe with PATH only: no database URL or secrets reach a decoder', async () => {
    const seen = file('decoder-env.txt');
    const wrap = async (name: string) => {
      const script = file(`${name}-wrapper.sh`);
      await writeFile(script, `#!/bin/sh\nenv >> '${seen}'\nexec ${name} "$@"\n`, { mode: 0o755 });
      return script;
    };
    // Unconfined here, to see what a decoder inherits; the sandbox's own test is decoder-sandbox.test.ts.
    const decoder = { ...TEST_DECODER, sandbox: 'none' as const, ffmpegPath: await wrap('ffmpeg'), ffprobePath: await wrap('ffprobe') };
    process.env.KYC_TEST_SECRET = 'must-not-leak';
    try {
      let frames = 0;
      for await (const _ of streamFrames(fixture('short_hamilton_clip.mp4'), sampling, decoder)) frames++;
      expect(frames).toBeGreaterThan(0);
      // MP4 headers are read in-process; ffprobe still reads WebM and unusual MP4s.
      await ffprobeOf(fixture('short_hamilton_clip.mp4'), decoder);
    } finally {
      delete process.env.KYC_TEST_SECRET;
    }
    const env = await readFile(seen, 'utf8');
    // ffprobe, ffmpeg, and fluent-ffmpeg's own capability queries: each through the wrapper.
    expect(env.match(/^PATH=/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(env).not.toContain('must-not-leak');
    // What is left is PATH and what the wrapper's shell sets itself.
    const names = new Set(env.trim().split('\n').map((line) => line.split('=')[0]));
    expect([...names].filter((name) => !['PATH', 'PWD', 'SHLVL', '_', 'OLDPWD'].includes(name!))).toEqual([]);
  });

  it('rejects a decode that runs past the timeout instead of leaving it to three retries', async () => {
    const video = fixture('short_hamilton_clip.mp4');
    const slow = { ...TEST_DECODER, timeoutMs: 1 };
    expect(await reasonOf(ffprobeOf(video, slow))).toBe('DECODE_TIMEOUT');
    const err = await (async () => {
      // Whichever stalls first, ffprobe or ffmpeg, the answer is the same rejection.
      for await (const frame of streamFrames(video, sampling, { ...TEST_DECODER, timeoutMs: 50 })) void frame;
    })().then(() => undefined, (e: unknown) => e);
    expect((err as MediaRejectedError | undefined)?.reason).toBe('DECODE_TIMEOUT');
  });

  it('still decodes a normal phone video', async () => {
    expect((await firstFrame(fixture('short_hamilton_clip.mp4')))?.image.width).toBe(640);
  });
});
