// The in-process MP4/MOV header reader against ffprobe, on real files from the real encoders: it
// must say what ffprobe says, or step aside (undefined) and let ffprobe answer.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMp4VideoHeader } from '../../src/media/mp4-header.js';
import { probeVideo, readVideoHeader } from '../../src/media/probe.js';
import { GENUINE_VIDEOS, genuineVideo } from '../../dev/liveness-cases.js';
import { TEST_DECODER, videoFromImage } from '../../dev/media.js';
import { fixture } from '../../dev/paths.js';

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kyc-mp4-header-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('MP4/MOV header read in-process', () => {
  const made: [string, () => Promise<string>][] = [
    ['H.264, rotation tag 90°', () => videoFromImage(fixture('obama2.jpg'), path.join(dir, 'rot.mp4'), { rotateTag: true })],
    ['HEVC', () => videoFromImage(fixture('biden2.jpg'), path.join(dir, 'hevc.mp4'), { codec: 'hevc' })],
    ['VP9 in MP4', () => videoFromImage(fixture('biden.jpg'), path.join(dir, 'vp9.mp4'), { codec: 'vp9' })],
    ['MOV from a phone-like encode', async () => {
      const out = path.join(dir, 'phone.mov');
      await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30000/1001', '-t', '2.5', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out]);
      return out;
    }],
  ];
  const fixtures: [string, () => Promise<string>][] = [
    ['the Hamilton clip', async () => fixture('short_hamilton_clip.mp4')],
    ...GENUINE_VIDEOS.map((name) => [name, async () => genuineVideo(name)] as [string, () => Promise<string>]),
  ];

  it.each([...made, ...fixtures])('%s: what ffprobe says, or nothing', async (_name, make) => {
    const video = await make();
    const ours = await readMp4VideoHeader(video);
    const reference = await probeVideo(video, TEST_DECODER);
    if (!ours) return expect(await readVideoHeader(video, TEST_DECODER)).toEqual(reference);
    expect({ codec: ours.codec, width: ours.width, height: ours.height, frameCount: ours.frameCount }).toEqual({
      codec: reference.codec,
      width: reference.width,
      height: reference.height,
      frameCount: reference.frameCount,
    });
    expect(Math.abs(ours.frameRate - reference.frameRate) / reference.frameRate).toBeLessThan(0.01);
    expect(Math.abs(ours.durationMs - reference.durationMs)).toBeLessThanOrEqual(50);
  });

  it('reads the plain case itself, without ffprobe', async () => {
    const header = await readMp4VideoHeader(await made[0]![1]());
    expect(header).toMatchObject({ codec: 'h264', width: expect.any(Number) });
    // Stored turned, tagged to turn back: the displayed frame is portrait, as the photo.
    expect(header!.height).toBeGreaterThan(header!.width);
    // An edit list that only delays the start, as encoders write, is still the plain case.
    expect(await readMp4VideoHeader(fixture('short_hamilton_clip.mp4'))).toMatchObject({ codec: 'h264', width: 640, height: 360, frameCount: 275 });
  });

  it('steps aside for a file that is not a plain movie', async () => {
    const fragmented = path.join(dir, 'frag.mp4');
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10', '-t', '2', '-c:v', 'libx264', '-movflags', 'frag_keyframe+empty_moov', fragmented]);
    expect(await readMp4VideoHeader(fragmented)).toBeUndefined();
    expect((await readVideoHeader(fragmented, TEST_DECODER)).frameCount).toBe((await probeVideo(fragmented, TEST_DECODER)).frameCount);
  });
});
