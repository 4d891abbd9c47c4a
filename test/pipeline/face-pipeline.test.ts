// The face pipeline on the real models and the real ffmpeg, with inputs made from the fixtures:
// every rejection reason, phone-style videos (rotation tag, HEVC, VP9), faces at any scale.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RejectionReason } from '../../src/contract/face-similarity.js';
import { MediaRejectedError } from '../../src/media/errors.js';
import { decodeImage } from '../../src/face/decode/image-decoder.js';
import { FacePipeline } from '../../src/face/pipeline.js';
import type { YuNetDetector } from '../../src/face/models/yunet-detector.js';
import { streamFrames } from '../../src/face/decode/video-frames.js';
import { quietLogger, sharedPipeline, testConfig } from '../../dev/face-pipeline.js';
import { TEST_DECODER, derivedImage, imageWithoutFace, videoFromImage } from '../../dev/media.js';
import { fixture } from '../../dev/paths.js';

let pipeline: FacePipeline;
let dir: string;
const file = (name: string) => path.join(dir, name);
let obamaVideo: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kyc-pipeline-'));
  [pipeline, obamaVideo] = await Promise.all([sharedPipeline(), videoFromImage(fixture('obama2.jpg'), path.join(dir, 'obama2.mp4'))]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<RejectionReason> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error, 'expected a media rejection').toBeInstanceOf(MediaRejectedError);
  return (error as MediaRejectedError).reason;
}

describe('detector input buffers', () => {
  it('are reused frame after frame: a comparison makes a few, not one per frame', async () => {
    const detector = (pipeline as unknown as { models: { detector: YuNetDetector } }).models.detector;
    const before = detector.inputStats;
    let frames = 0;
    for await (const frame of streamFrames(fixture('short_hamilton_clip.mp4'), testConfig().face.video, TEST_DECODER)) {
      await detector.detect(frame.image);
      frames++;
    }
    const after = detector.inputStats;
    expect(frames).toBeGreaterThan(10);
    expect(after.allocated - before.allocated).toBeLessThanOrEqual(1);
    expect(after.reused - before.reused).toBeGreaterThanOrEqual(frames - 1);
  });
});

describe('faces at any scale', () => {
  it('finds a face that fills a 1200x1200 photo', async () => {
    const { largest } = await pipeline.analyze(await decodeImage(fixture('obama.jpg')));
    const b = largest!.box;
    const filled = await derivedImage(fixture('obama.jpg'), file('filled.jpg'), (s) =>
      s.extract({ left: Math.round(b.x), top: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.width) }).resize(1200, 1200),
    );
    const analysis = await pipeline.analyze(await decodeImage(filled), { retryPadded: true });
    expect((await pipeline.analyze(await decodeImage(filled))).largest, 'a plain look misses it').toBeUndefined();
    expect(analysis.largest!.box.width).toBeGreaterThan(700);
    expect(analysis.largest!.score).toBeGreaterThan(0.8);
  });

  it('finds the small face of a full-body photo and maps it back to the photo', async () => {
    const image = await decodeImage(fixture('obama3.jpg'));
    const { largest } = await pipeline.analyze(image);
    expect(largest).toBeDefined();
    expect(largest!.box.width / image.width).toBeLessThan(0.2);
    expect(largest!.box.x + largest!.box.width).toBeLessThanOrEqual(image.width);
  });
});

describe('rejection reasons, each from a real input', () => {
  const compareWithObamaVideo = (id: string) => pipeline.compare(id, obamaVideo);
  const compareWithObamaId = (video: string) => pipeline.compare(fixture('obama.jpg'), video);

  it('NO_FACE_ON_DOCUMENT', async () => {
    expect(await rejection(compareWithObamaVideo(await imageWithoutFace(file('noface.jpg'))))).toBe('NO_FACE_ON_DOCUMENT');
  });

  it('MULTIPLE_FACES_ON_DOCUMENT', async () => {
    expect(await rejection(compareWithObamaVideo(fixture('two_people.jpg')))).toBe('MULTIPLE_FACES_ON_DOCUMENT');
  });

  it('FACE_TOO_SMALL_ON_DOCUMENT', async () => {
    const tiny = await derivedImage(fixture('obama.jpg'), file('tiny.jpg'), (s) => s.resize({ width: 200 }));
    expect(await rejection(compareWithObamaVideo(tiny))).toBe('FACE_TOO_SMALL_ON_DOCUMENT');
  });

  it('DOCUMENT_TOO_BLURRY', async () => {
    const blurred = await derivedImage(fixture('obama.jpg'), file('blurred.jpg'), (s) => s.blur(6));
    expect(await rejection(compareWithObamaVideo(blurred))).toBe('DOCUMENT_TOO_BLURRY');
  });

  it('DOCUMENT_TOO_DARK', async () => {
    const dark = await derivedImage(fixture('obama.jpg'), file('dark.jpg'), (s) => s.linear(0.15, 0));
    expect(await rejection(compareWithObamaVideo(dark))).toBe('DOCUMENT_TOO_DARK');
  });

  it('DOCUMENT_TOO_BRIGHT', async () => {
    const bright = await derivedImage(fixture('obama.jpg'), file('bright.jpg'), (s) => s.linear(1, 150));
    expect(await rejection(compareWithObamaVideo(bright))).toBe('DOCUMENT_TOO_BRIGHT');
  });

  it('UNREADABLE_IMAGE', async () => {
    expect(await rejection(compareWithObamaVideo(fixture('short_hamilton_clip.mp4')))).toBe('UNREADABLE_IMAGE');
  });

  it('NO_FACE_IN_VIDEO', async () => {
    const video = await videoFromImage(await imageWithoutFace(file('noface2.jpg')), file('noface.mp4'));
    expect(await rejection(compareWithObamaId(video))).toBe('NO_FACE_IN_VIDEO');
  });

  it('FACE_TOO_SMALL_IN_VIDEO', async () => {
    const small = await derivedImage(fixture('obama2.jpg'), file('small.jpg'), (s) => s.resize({ width: 100 }));
    expect(await rejection(compareWithObamaId(await videoFromImage(small, file('small.mp4'))))).toBe('FACE_TOO_SMALL_IN_VIDEO');
  });

  it('VIDEO_TOO_BLURRY', async () => {
    const blurred = await derivedImage(fixture('obama2.jpg'), file('vblur.jpg'), (s) => s.blur(8));
    expect(await rejection(compareWithObamaId(await videoFromImage(blurred, file('blur.mp4'))))).toBe('VIDEO_TOO_BLURRY');
  });

  it('VIDEO_TOO_DARK', async () => {
    const dark = await derivedImage(fixture('obama2.jpg'), file('vdark.jpg'), (s) => s.linear(0.15, 0));
    expect(await rejection(compareWithObamaId(await videoFromImage(dark, file('dark.mp4'))))).toBe('VIDEO_TOO_DARK');
  });

  it('VIDEO_TOO_BRIGHT', async () => {
    const bright = await derivedImage(fixture('obama2.jpg'), file('vbright.jpg'), (s) => s.linear(1, 160));
    expect(await rejection(compareWithObamaId(await videoFromImage(bright, file('bright.mp4'))))).toBe('VIDEO_TOO_BRIGHT');
  });

  it('VIDEO_TOO_LONG, before decoding a frame', async () => {
    const strict = await FacePipeline.load(testConfig({ EXECUTION_PROVIDER: 'cpu', VIDEO_MAX_DURATION: '1s' }).face, quietLogger());
    expect(await rejection(strict.compare(fixture('obama.jpg'), obamaVideo))).toBe('VIDEO_TOO_LONG');
  });

  it('UNREADABLE_VIDEO', async () => {
    const truncated = file('truncated.mp4');
    await writeFile(truncated, Buffer.from('\x00\x00\x00\x20ftypisom this is not really a video'));
    expect(await rejection(compareWithObamaId(truncated))).toBe('UNREADABLE_VIDEO');
    expect(await rejection(compareWithObamaId(fixture('obama.jpg')))).toBe('UNREADABLE_VIDEO');
  });

  it('names the ID when both files are bad, every time, though both decode at once', async () => {
    // The two decoders race (sharp on the ID, ffmpeg on the video); the reason must not.
    const truncated = file('truncated-both.mp4');
    await writeFile(truncated, Buffer.from('\x00\x00\x00\x20ftypisom this is not really a video'));
    const noFace = await imageWithoutFace(file('noface-both.jpg'));
    const videoNamedJpeg = file('video-as-id.jpg');
    await writeFile(videoNamedJpeg, await readFile(obamaVideo));
    for (let i = 0; i < 3; i++) {
      expect(await rejection(pipeline.compare(noFace, truncated))).toBe('NO_FACE_ON_DOCUMENT');
      expect(await rejection(pipeline.compare(videoNamedJpeg, truncated))).toBe('UNREADABLE_IMAGE');
      expect(await rejection(pipeline.compare(videoNamedJpeg, obamaVideo))).toBe('UNREADABLE_IMAGE');
    }
    // A good ID with the bad video still gets the video's reason.
    expect(await rejection(compareWithObamaId(truncated))).toBe('UNREADABLE_VIDEO');
  });
});

describe('phone videos', () => {
  it('honours the rotation tag: a rotated phone-style video gives the same decision as its upright twin', async () => {
    const rotated = await videoFromImage(fixture('obama2.jpg'), file('rotated.mp4'), { rotateTag: true });
    const [upright, turned] = [await compareWithObama(obamaVideo), await compareWithObama(rotated)];
    expect(turned.match).toBe(upright.match);
    expect(turned.match).toBe(true);
    expect(Math.abs(turned.similarity - upright.similarity)).toBeLessThan(0.05);
  });

  it.each(['hevc', 'vp9'] as const)('decodes %s like H.264', async (codec) => {
    const video = await videoFromImage(fixture('obama2.jpg'), file(`obama2-${codec}.${codec === 'vp9' ? 'webm' : 'mp4'}`), { codec });
    const [h264, other] = [await compareWithObama(obamaVideo), await compareWithObama(video)];
    expect(other.match).toBe(true);
    expect(Math.abs(other.similarity - h264.similarity)).toBeLessThan(0.05);
  });

  function compareWithObama(video: string) {
    return pipeline.compare(fixture('obama.jpg'), video);
  }
});

describe('frame reports and best frames', () => {
  it('reports every examined frame and averages only the best usable ones', async () => {
    const report = await pipeline.compare(fixture('lin-manuel-miranda.png'), fixture('short_hamilton_clip.mp4'));
    expect(report.frames).toHaveLength(report.framesExamined);
    expect(report.frames.map((f) => f.timestampMs)).toEqual(report.frames.map((_, i) => i * 500));
    expect(report.framesExamined).toBe(20);
    const used = report.frames.filter((f) => f.used);
    expect(used).toHaveLength(3);
    for (const f of used) expect(f.excludedBy).toBeNull();
    // The dark, blurred audience shots at the end of the clip are excluded, not averaged in.
    expect(report.frames.filter((f) => f.timestampMs >= 8000).every((f) => f.excludedBy !== null)).toBe(true);
    const mean = used.reduce((s, f) => s + f.similarity!, 0) / used.length;
    expect(report.similarity).toBeCloseTo(mean, 5);
    expect(report.match).toBe(true);
  });

  it('streams frames without touching the disk, and kills ffmpeg when cancelled', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const consume = async () => {
      for await (const frame of streamFrames(fixture('short_hamilton_clip.mp4'), testConfig().face.video, TEST_DECODER, controller.signal)) {
        seen.push(frame.timestampMs);
        expect(Math.max(frame.image.width, frame.image.height)).toBe(640);
        if (seen.length === 2) controller.abort(new Error('cancelled by the test'));
      }
    };
    await expect(consume()).rejects.toThrow(/cancelled by the test/);
    expect(seen).toEqual([0, 500]);
    const running = () => execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.startsWith('ffmpeg') && l.includes('short_hamilton_clip'));
    // SIGKILL is delivered asynchronously; give the kernel a moment to reap the process.
    for (let i = 0; i < 30 && running().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(running()).toEqual([]);
  });
});
