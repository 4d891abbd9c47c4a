// The in-process MP4/MOV header reader against ffprobe, on real files from the real encoders: it
// must say what ffprobe says, or step aside ('other') and let ffprobe answer. Each test must be
// able to fail: a plain movie must be read in-process, not handed to ffprobe and compared with itself.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMovieHeader } from '../../src/media/movie-header.js';
import { readVideoHeader } from '../../src/media/video-header.js';
import { GENUINE_VIDEOS, genuineVideo } from '../../dev/liveness-cases.js';
import { TEST_DECODER, ffprobeOf, videoFromImage } from '../../dev/media.js';
import { fixture } from '../../dev/paths.js';

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kyc-movie-header-'));
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

  it.each([...made, ...fixtures])('%s: read in-process, as ffprobe reads it', async (_name, make) => {
    const video = await make();
    const ours = await readMovieHeader(video);
    // Every one of these is the plain case: an in-process answer is required, not optional.
    if (ours.kind !== 'plain') throw new Error(`expected the plain case, got ${JSON.stringify(ours)}`);
    const reference = await ffprobeOf(video);
    const { probe } = ours;
    expect({ codec: probe.codec, width: probe.width, height: probe.height, frameCount: probe.frameCount, videoStreams: probe.videoStreams }).toEqual({
      codec: reference.codec,
      width: reference.width,
      height: reference.height,
      frameCount: reference.frameCount,
      videoStreams: reference.videoStreams,
    });
    expect(Math.abs(probe.frameRate - reference.frameRate) / reference.frameRate).toBeLessThan(0.01);
    expect(Math.abs(probe.durationMs - reference.durationMs)).toBeLessThanOrEqual(50);
  });

  it('reads the displayed size and a plain edit list itself', async () => {
    const header = await readMovieHeader(await made[0]![1]());
    expect(header).toMatchObject({ kind: 'plain', probe: { codec: 'h264' } });
    if (header.kind !== 'plain') throw new Error('unreachable');
    // Stored turned, tagged to turn back: the displayed frame is portrait, as the photo.
    expect(header.probe.height).toBeGreaterThan(header.probe.width);
    // An edit list that only delays the start, as encoders write, is still the plain case.
    expect(await readMovieHeader(fixture('short_hamilton_clip.mp4'))).toMatchObject({ kind: 'plain', probe: { codec: 'h264', width: 640, height: 360, frameCount: 275 } });
  });

  it('steps aside for a fragmented movie, which ffprobe then describes', async () => {
    const fragmented = path.join(dir, 'frag.mp4');
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10', '-t', '2', '-c:v', 'libx264', '-movflags', 'frag_keyframe+empty_moov', fragmented]);
    expect(await readMovieHeader(fragmented)).toEqual({ kind: 'other', videoTracks: 1 });
    expect((await readVideoHeader(fragmented, TEST_DECODER, { maxPixels: 4096 * 4096 })).probe.frameCount).toBe((await ffprobeOf(fragmented)).frameCount);
  });

  it('counts the video tracks: none, or two, are refused from the boxes alone', async () => {
    const audioOnly = path.join(dir, 'audio.mp4');
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac', audioOnly]);
    expect(await readMovieHeader(audioOnly)).toEqual({ kind: 'other', videoTracks: 0 });
    const two = path.join(dir, 'two.mp4');
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10', '-f', 'lavfi', '-i', 'testsrc2=size=4000x4000:rate=10', '-t', '1', '-map', '0:v', '-map', '1:v', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-preset', 'ultrafast', two]);
    expect(await readMovieHeader(two)).toEqual({ kind: 'other', videoTracks: 2 });
  });

  it('refuses a movie cut anywhere, and a file of countless tiny boxes without walking them all', async () => {
    const bytes = await readFile(fixture('short_hamilton_clip.mp4'));
    for (const keep of [bytes.length - 1, Math.floor(bytes.length / 2), 40]) {
      const cut = path.join(dir, `cut-${keep}.mp4`);
      await writeFile(cut, bytes.subarray(0, keep));
      expect((await readMovieHeader(cut)).kind).toBe('unreadable');
    }
    const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isom')]);
    const tiny = Buffer.alloc(8 * 200_000);
    for (let i = 0; i < 200_000; i++) {
      tiny.writeUInt32BE(8, i * 8);
      tiny.write('free', i * 8 + 4, 'latin1');
    }
    const file = path.join(dir, 'boxes.mp4');
    await writeFile(file, Buffer.concat([ftyp, tiny, Buffer.from([0, 0, 0, 8, ...Buffer.from('moov')])]));
    expect(await readMovieHeader(file)).toEqual({ kind: 'unreadable', reason: 'more than 4096 top-level boxes' });
  });
});
