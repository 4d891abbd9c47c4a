// bench/pipeline: the same KYC sessions (ID image + selfie video) through our pipeline and through
// an OpenCV reference pipeline (VideoCapture at the same sample timestamps, FaceDetectorYN,
// FaceRecognizerSF.alignCrop, the same embedder in onnxruntime for Python), in the same run.
// Usage: npm run bench:pipeline [-- --repeat N]. The last line printed is one JSON object.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LIVENESS_REPORT_ONLY as REPORT_ALL } from '../src/contract/face-similarity.js';
import type { StageTimings } from '../src/face/pipeline.js';
import { FacePipeline } from '../src/face/pipeline.js';
import { loadConfig } from '../src/config/config.js';
import { quietLogger } from '../dev/face-pipeline.js';
import { videoFromImage } from '../dev/media.js';
import { MODELS_DIR, fixture } from '../dev/paths.js';
import { runReferenceSessions } from '../dev/reference.js';

const repeatArg = process.argv.indexOf('--repeat');
const REPEAT = repeatArg > 0 ? Number(process.argv[repeatArg + 1]) : 3;
// Settings come from the environment like a worker's (e.g. ORT_INTRA_OP_THREADS=1), models from shared/.
const config = loadConfig({ MODELS_DIR, ...process.env, EXECUTION_PROVIDER: process.env.EXECUTION_PROVIDER ?? 'cpu', LOG_LEVEL: 'warn' });
type Stages = StageTimings;

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kyc-bench-'));
  try {
    // Phone-like 1080p-class selfie videos made from the fixture photos, plus the real clip.
    const sessions = [
      { id: fixture('lin-manuel-miranda.png'), video: fixture('short_hamilton_clip.mp4') },
      { id: fixture('obama.jpg'), video: await videoFromImage(fixture('obama2.jpg'), path.join(dir, 'obama2.mp4'), { seconds: 5 }) },
      { id: fixture('biden.jpg'), video: await videoFromImage(fixture('biden2.jpg'), path.join(dir, 'biden2.mp4'), { seconds: 5 }) },
      { id: fixture('obama2.jpg'), video: await videoFromImage(fixture('obama.jpg'), path.join(dir, 'obama.mp4'), { seconds: 5 }) },
      { id: fixture('biden2.jpg'), video: await videoFromImage(fixture('obama3.jpg'), path.join(dir, 'obama3.mp4'), { seconds: 5 }) },
    ];
    console.log(`${sessions.length} sessions; ${REPEAT} timed passes after one warm-up; sampling ${config.face.video.sampleFps} fps, ≤ ${config.face.video.maxFrames} frames, ≤ ${config.face.video.maxEdge} px`);

    const pipeline = await FacePipeline.load(config.face, quietLogger());
    const ours: Stages = { decode: 0, detect: 0, align: 0, embed: 0, liveness: 0 };
    let ourWallMs = 0;
    let ourFaces = 0;
    for (let pass = 0; pass <= REPEAT; pass++) {
      const timings: Stages = { decode: 0, detect: 0, align: 0, embed: 0, liveness: 0 };
      let faces = 0;
      const started = performance.now();
      for (const s of sessions) {
        // Report mode: every check runs and is timed, none rejects (these videos are stills).
        const report = await pipeline.compare(s.id, s.video, { timings, liveness: { policy: REPORT_ALL } });
        faces += 1 + report.frames.filter((f) => f.similarity !== null).length;
      }
      if (pass === 0) continue;
      ourWallMs += (performance.now() - started) / REPEAT;
      for (const k of Object.keys(ours) as (keyof Stages)[]) ours[k] += timings[k] / REPEAT;
      ourFaces = faces;
    }

    const reference = await runReferenceSessions(config.face, sessions, REPEAT);
    const t = reference.timing_ms;
    const ref: Stages = { decode: t.decode / REPEAT, detect: t.detect / REPEAT, align: t.align / REPEAT, embed: t.embed / REPEAT, liveness: 0 };
    const refWallMs = ref.decode + ref.detect + ref.align + ref.embed;
    const refFaces = reference.sessions.reduce((n, s) => n + s.faces, 0);

    const row = (label: string, t: Stages, wallMs: number, faces: number) =>
      `${label.padEnd(8)} ${(sessions.length / (wallMs / 1000)).toFixed(2).padStart(7)} ${(faces / (wallMs / 1000)).toFixed(1).padStart(8)}` +
      [t.decode, t.detect, t.align, t.embed, t.liveness, wallMs].map((v) => v.toFixed(0).padStart(9)).join('');
    console.log(`${'pipeline'.padEnd(8)} ${'sess/s'.padStart(7)} ${'faces/s'.padStart(8)}${['decode', 'detect', 'align', 'embed', 'liveness', 'total'].map((h) => h.padStart(9)).join('')}  (ms per pass over all sessions)`);
    console.log(row('ours', ours, ourWallMs, ourFaces));
    console.log(row('opencv', ref, refWallMs, refFaces));
    console.log('ours: decode = ID image decode + time waiting for ffmpeg\'s next frame (ffmpeg decodes while we infer); total is wall time.');
    console.log('liveness: the five checks after the frame loop (anti-spoofing models on the best frames); the reference has none.');
    console.log('opencv: decode = imread + VideoCapture reading every frame + resize; total is the sum of its stages.');

    const oursPerS = sessions.length / (ourWallMs / 1000);
    const refPerS = sessions.length / (refWallMs / 1000);
    const r2 = (v: number) => Math.round(v * 100) / 100;
    console.log(
      JSON.stringify({
        ours_sessions_per_s: r2(oursPerS),
        reference_sessions_per_s: r2(refPerS),
        ratio: r2(oursPerS / refPerS),
        ours_faces_per_s: r2(ourFaces / (ourWallMs / 1000)),
        reference_faces_per_s: r2(refFaces / (refWallMs / 1000)),
        ours_ms: Object.fromEntries(Object.entries({ ...ours, total: ourWallMs }).map(([k, v]) => [k, r2(v)])),
        reference_ms: Object.fromEntries(Object.entries({ ...ref, total: refWallMs }).map(([k, v]) => [k, r2(v)])),
        execution_provider: pipeline.executionProvider,
        sessions: sessions.length,
        repeat: REPEAT,
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
