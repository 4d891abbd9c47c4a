// bench/pipeline: the same KYC sessions (ID image + frames sampled from its selfie video) through
// our pipeline and through OpenCV's reference pipeline (FaceDetectorYN + alignCrop + the same
// embedder in onnxruntime for Python), on the same frame files, in the same run.
// Usage: npm run bench:pipeline [-- --repeat N]. The last line printed is one JSON object.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeImage } from '../src/face/image-decoder.js';
import type { StageTimings } from '../src/face/pipeline.js';
import { sampleFrames, type SampledFrames } from '../src/face/video-frames.js';
import { sharedPipeline, testConfig } from '../test/helpers/face-pipeline.js';
import { videoFromImage } from '../test/helpers/media.js';
import { fixture } from '../test/helpers/paths.js';
import { runReference } from '../test/helpers/reference.js';

const repeatArg = process.argv.indexOf('--repeat');
const REPEAT = repeatArg > 0 ? Number(process.argv[repeatArg + 1]) : 3;
const config = testConfig({ EXECUTION_PROVIDER: process.env.EXECUTION_PROVIDER ?? 'cpu' });

interface Session {
  name: string;
  images: string[];
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kyc-bench-'));
  const sampled: SampledFrames[] = [];
  try {
    const pairs: [string, string][] = [
      ['lin-manuel-miranda.png', fixture('short_hamilton_clip.mp4')],
      ['obama.jpg', await videoFromImage(fixture('obama2.jpg'), path.join(dir, 'obama2.mp4'), { seconds: 5 })],
      ['biden.jpg', await videoFromImage(fixture('biden2.jpg'), path.join(dir, 'biden2.mp4'), { seconds: 5 })],
      ['obama2.jpg', await videoFromImage(fixture('obama.jpg'), path.join(dir, 'obama.mp4'), { seconds: 5 })],
      ['biden2.jpg', await videoFromImage(fixture('obama3.jpg'), path.join(dir, 'obama3.mp4'), { seconds: 5 })],
    ];
    let ffmpegMs = 0;
    const sessions: Session[] = [];
    for (const [id, video] of pairs) {
      const t = performance.now();
      const frames = await sampleFrames(video, config.face.video);
      ffmpegMs += performance.now() - t;
      sampled.push(frames);
      sessions.push({ name: `${id} vs ${path.basename(video)}`, images: [fixture(id), ...frames.frames.map((f) => f.path)] });
    }
    const images = sessions.flatMap((s) => s.images);
    console.log(`${sessions.length} sessions, ${images.length} images (ID + sampled frames), ${REPEAT} timed passes each after one warm-up`);
    console.log(`shared frame sampling by ffmpeg: ${(ffmpegMs / sessions.length).toFixed(1)} ms per session (not in either figure below)`);

    // Ours.
    const pipeline = await sharedPipeline();
    const ours = { decode: 0, detect: 0, align: 0, embed: 0 };
    let ourFaces = 0;
    for (let pass = 0; pass <= REPEAT; pass++) {
      const timings: StageTimings & { decode: number } = { decode: 0, detect: 0, align: 0, embed: 0 };
      let faces = 0;
      for (const file of images) {
        const t = performance.now();
        const image = await decodeImage(file);
        timings.decode += performance.now() - t;
        if ((await pipeline.analyze(image, { timings })).embedding) faces++;
      }
      if (pass > 0) {
        for (const k of Object.keys(ours) as (keyof typeof ours)[]) ours[k] += timings[k] / REPEAT;
        ourFaces = faces;
      }
    }

    // OpenCV reference, in its own process, timed inside it per stage.
    const reference = await runReference(config.face, images, REPEAT, true);
    const ref = Object.fromEntries(Object.entries(reference.timing_ms).map(([k, v]) => [k, v / REPEAT])) as typeof ours;
    const refFaces = reference.images.filter((i) => i.embedding !== null).length;

    const total = (t: typeof ours) => t.decode + t.detect + t.align + t.embed;
    const row = (label: string, t: typeof ours, faces: number) => {
      const s = total(t) / 1000;
      return `${label.padEnd(10)} ${(sessions.length / s).toFixed(2).padStart(8)} ${(faces / s).toFixed(1).padStart(8)}` +
        ` ${t.decode.toFixed(0).padStart(8)} ${t.detect.toFixed(0).padStart(8)} ${t.align.toFixed(0).padStart(8)} ${t.embed.toFixed(0).padStart(8)} ${total(t).toFixed(0).padStart(8)}`;
    };
    console.log(`${'pipeline'.padEnd(10)} ${'sess/s'.padStart(8)} ${'faces/s'.padStart(8)} ${'decode'.padStart(8)} ${'detect'.padStart(8)} ${'align'.padStart(8)} ${'embed'.padStart(8)} ${'total ms'.padStart(8)}  (per pass over all sessions)`);
    console.log(row('ours', ours, ourFaces));
    console.log(row('opencv', ref, refFaces));
    const oursPerS = sessions.length / (total(ours) / 1000);
    const refPerS = sessions.length / (total(ref) / 1000);
    console.log(
      JSON.stringify({
        ours_sessions_per_s: round(oursPerS),
        reference_sessions_per_s: round(refPerS),
        ratio: round(oursPerS / refPerS),
        ours_faces_per_s: round(ourFaces / (total(ours) / 1000)),
        reference_faces_per_s: round(refFaces / (total(ref) / 1000)),
        ours_ms: mapValues(ours, round),
        reference_ms: mapValues(ref, round),
        execution_provider: pipeline.executionProvider,
        sessions: sessions.length,
        images: images.length,
        repeat: REPEAT,
      }),
    );
  } finally {
    await Promise.all(sampled.map((s) => s.cleanup()));
    await rm(dir, { recursive: true, force: true });
  }
}

const round = (v: number) => Math.round(v * 100) / 100;
const mapValues = <T extends Record<string, number>>(o: T, f: (v: number) => number) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)])) as T;

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
