// bench/pipeline: the same KYC sessions (ID image + selfie video) through our pipeline and through
// an OpenCV reference pipeline (VideoCapture at the same sample timestamps, FaceDetectorYN,
// FaceRecognizerSF.alignCrop, the same embedder in onnxruntime for Python), in the same run.
// The reference runs YuNet on the 640×640 letterbox (the 2023mar export's declared input: the
// baseline `ratio` is against), and once more at the letterbox padded to a multiple of 32, as
// FaceDetectorYN.setInputSize allows and as our detector runs (`ratio_vs_aspect_reference`).
// Then the memory case: a 1080p 60 s selfie video, 1 and 4 comparisons at once, peak RSS.
// Usage: npm run bench:pipeline [-- --repeat N --provider cpu|cuda --no-memory]. The last line is one JSON object.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LIVENESS_REPORT_ONLY as REPORT_ALL } from '../src/contract/face-similarity.js';
import type { StageTimings } from '../src/face/pipeline.js';
import { FacePipeline } from '../src/face/pipeline.js';
import { loadConfig } from '../src/config/config.js';
import { withToolDefaults } from '../src/runtime/tools.js';
import { quietLogger } from '../dev/face-pipeline.js';
import { videoFromImage } from '../dev/media.js';
import { MODELS_DIR, fixture } from '../dev/paths.js';
import { runReferenceSessions } from '../dev/reference.js';
import { tuneGcForFrameAnalysis } from '../src/runtime/gc-tuning.js';

const { values: args } = parseArgs({ options: { repeat: { type: 'string' }, provider: { type: 'string' }, 'no-memory': { type: 'boolean' } } });
const REPEAT = Number(args.repeat ?? 3);
// Settings come from the environment like a worker's (e.g. ORT_INTRA_OP_THREADS=1), models from shared/,
// and the tools as workers/gpu-worker.ts fills them in: without withToolDefaults this ran the
// system's ffmpeg (Debian's 5.1) instead of the pinned static one, and its decode wait doubled.
const config = loadConfig(withToolDefaults({ MODELS_DIR, ...process.env, EXECUTION_PROVIDER: args.provider ?? process.env.EXECUTION_PROVIDER ?? 'cpu', LOG_LEVEL: 'warn' }));
type Stages = StageTimings;
// As the GPU worker runs (workers/gpu-worker.ts).
tuneGcForFrameAnalysis();

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
    console.log(`${sessions.length} sessions; ${REPEAT} timed passes after one warm-up; sampling ${config.face.video.sampleFps} fps, ≤ ${config.face.video.maxFrames} frames, ≤ ${config.face.video.maxEdge} px; decoder ${config.face.decoder.ffmpegPath}`);

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

    // The GPU worker's way (GPU_WORKER_CONCURRENCY): every session at once through one pipeline,
    // whose embedder batches faces across them when EMBED_BATCH_SIZE (default on CUDA) allows.
    const concurrentStarted = performance.now();
    let concurrentFaces = 0;
    const reports = await Promise.all(sessions.map((x) => pipeline.compare(x.id, x.video, { liveness: { policy: REPORT_ALL } })));
    for (const report of reports) concurrentFaces += 1 + report.frames.filter((f) => f.similarity !== null).length;
    const concurrentS = (performance.now() - concurrentStarted) / 1000;
    const batches = pipeline.batchStats;
    console.log(
      `ours, ${sessions.length} sessions at once: ${(sessions.length / concurrentS).toFixed(2)} sessions/s, ${(concurrentFaces / concurrentS).toFixed(1)} faces/s` +
        (batches ? `, ${(batches.faces / Math.max(1, batches.runs)).toFixed(1)} faces per embedder run` : ', each comparison embedding its own faces together (EMBED_BATCH_SIZE off on CPU: no batches across comparisons)'),
    );

    const summarize = (run: Awaited<ReturnType<typeof runReferenceSessions>>) => {
      const t = run.timing_ms;
      const stages: Stages = { decode: t.decode / REPEAT, detect: t.detect / REPEAT, align: t.align / REPEAT, embed: t.embed / REPEAT, liveness: 0 };
      return { stages, wallMs: stages.decode + stages.detect + stages.align + stages.embed, faces: run.sessions.reduce((n, x) => n + x.faces, 0) };
    };
    const square = summarize(await runReferenceSessions(config.face, sessions, REPEAT, 'square'));
    const aspect = summarize(await runReferenceSessions(config.face, sessions, REPEAT, 'aspect'));
    const ref = square.stages;
    const refWallMs = square.wallMs;
    const refFaces = square.faces;

    const row = (label: string, t: Stages, wallMs: number, faces: number) =>
      `${label.padEnd(14)} ${(sessions.length / (wallMs / 1000)).toFixed(2).padStart(7)} ${(faces / (wallMs / 1000)).toFixed(1).padStart(8)}` +
      [t.decode, t.detect, t.align, t.embed, t.liveness, wallMs].map((v) => v.toFixed(0).padStart(9)).join('');
    console.log(`${'pipeline'.padEnd(14)} ${'sess/s'.padStart(7)} ${'faces/s'.padStart(8)}${['decode', 'detect', 'align', 'embed', 'liveness', 'total'].map((h) => h.padStart(9)).join('')}  (ms per pass over all sessions)`);
    console.log(row(`ours (${pipeline.executionProvider})`, ours, ourWallMs, ourFaces));
    console.log(row('opencv 640²', ref, refWallMs, refFaces));
    console.log(row('opencv aspect', aspect.stages, aspect.wallMs, aspect.faces));
    console.log('ours: decode = ID image decode + time waiting for ffmpeg\'s next frame (ffmpeg decodes while we infer); total is wall time.');
    console.log('liveness: the five checks after the frame loop (anti-spoofing models on the best frames); the reference has none.');
    console.log('opencv: decode = imread + VideoCapture reading every frame + resize; total is the sum of its stages.');
    console.log('opencv 640²: YuNet on the whole 640×640 letterbox; opencv aspect: padded to a multiple of 32 only (setInputSize), as ours runs.');
    const memory = args['no-memory'] ? undefined : await memoryCase(pipeline, dir);

    const oursPerS = sessions.length / (ourWallMs / 1000);
    const refPerS = sessions.length / (refWallMs / 1000);
    const r2 = (v: number) => Math.round(v * 100) / 100;
    console.log(
      JSON.stringify({
        ours_sessions_per_s: r2(oursPerS),
        reference_sessions_per_s: r2(refPerS),
        ratio: r2(oursPerS / refPerS),
        concurrent_sessions_per_s: r2(sessions.length / concurrentS),
        concurrent_faces_per_s: r2(concurrentFaces / concurrentS),
        ...(batches ? { faces_per_embedder_run: r2(batches.faces / Math.max(1, batches.runs)) } : {}),
        ratio_vs_aspect_reference: r2(oursPerS / (sessions.length / (aspect.wallMs / 1000))),
        ours_faces_per_s: r2(ourFaces / (ourWallMs / 1000)),
        reference_faces_per_s: r2(refFaces / (refWallMs / 1000)),
        ours_ms: Object.fromEntries(Object.entries({ ...ours, total: ourWallMs }).map(([k, v]) => [k, r2(v)])),
        reference_ms: Object.fromEntries(Object.entries({ ...ref, total: refWallMs }).map(([k, v]) => [k, r2(v)])),
        execution_provider: pipeline.executionProvider,
        ...(memory ? { memory } : {}),
        sessions: sessions.length,
        repeat: REPEAT,
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Peak resident memory of this process in MB since the last reset (Linux /proc). */
async function peakRssMb(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * The GPU worker's memory on the worst accepted case, a 1080p 60 s selfie video: peak RSS with 1
 * and with 4 comparisons at once (as GPU_WORKER_CONCURRENCY=4 runs them), and the growth per
 * comparison. Frames stream from ffmpeg at ≤ VIDEO_MAX_EDGE, so this must not grow with the video.
 */
async function memoryCase(pipeline: FacePipeline, dir: string) {
  const video = path.join(dir, 'selfie-1080p-60s.mp4');
  await promisify(execFile)('ffmpeg', [
    '-v', 'error', '-y', '-stream_loop', '-1', '-i', fixture('short_hamilton_clip.mp4'), '-t', '60',
    '-vf', 'scale=1920:1080', '-r', '30', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-an', video,
  ]);
  const id = fixture('lin-manuel-miranda.png');
  const peaks: Record<string, number> = {};
  global.gc?.();
  await writeFile('/proc/self/clear_refs', '5');
  const base = await peakRssMb();
  for (const concurrency of [1, 4]) {
    await writeFile('/proc/self/clear_refs', '5');
    await Promise.all(Array.from({ length: concurrency }, () => pipeline.compare(id, video, { liveness: { policy: REPORT_ALL } })));
    peaks[`c${concurrency}`] = Math.round(await peakRssMb());
  }
  const perComparison = Math.round(((peaks.c4! - base) / 4) * 10) / 10;
  console.log(`memory, 1080p 60 s video: baseline ${Math.round(base)} MB; peak ${peaks.c1} MB with 1 comparison, ${peaks.c4} MB with 4 at once: ${perComparison} MB per concurrent comparison`);
  return { baseline_rss_mb: Math.round(base), peak_rss_mb_c1: peaks.c1!, peak_rss_mb_c4: peaks.c4!, rss_mb_per_concurrent_comparison: perComparison };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
