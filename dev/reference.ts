import { execFile } from 'node:child_process';
import path from 'node:path';
import type { FaceConfig } from '../src/config/config.js';
import { REPO_ROOT } from '../src/runtime/app-root.js';

/** The Python interpreter with opencv-python-headless and onnxruntime (.ci/run makes .venv). */
export const REFERENCE_PYTHON = process.env.REFERENCE_PYTHON ?? path.join(REPO_ROOT, '.venv', 'bin', 'python');
const SCRIPT = path.join(REPO_ROOT, 'test', 'reference', 'opencv_reference.py');

export interface ReferenceImage {
  path: string;
  width: number;
  height: number;
  scale: number;
  faces: { box: [number, number, number, number]; landmarks: [number, number][]; score: number }[];
  embedding: number[] | null;
}

export interface ReferenceRun {
  images: ReferenceImage[];
  timing_ms: { decode: number; detect: number; align: number; embed: number };
}

/**
 * `square`: YuNet on the whole 640×640 letterbox (how the 2023mar export is declared); `aspect`:
 * on the letterbox padded only to a multiple of 32 (FaceDetectorYN.setInputSize), which is how
 * our dynamic-size detector runs it.
 */
export type ReferenceInputMode = 'square' | 'aspect';

function request(face: FaceConfig, inputMode: ReferenceInputMode) {
  return {
    input_mode: inputMode,
    detector: face.detector.path,
    embedder: face.embedder.path,
    score_threshold: face.detector.scoreThreshold,
    nms_threshold: face.detector.nmsThreshold,
    channel_order: face.embedder.channelOrder,
    mean: face.embedder.mean,
    std: face.embedder.std,
  };
}

/** Runs OpenCV's reference pipeline (test/reference/opencv_reference.py) on image files. */
export function runReference(face: FaceConfig, images: string[], inputMode: ReferenceInputMode = 'aspect'): Promise<ReferenceRun> {
  return call<ReferenceRun>({ ...request(face, inputMode), images });
}

export interface ReferenceSessionsRun {
  sessions: { frames: number; faces: number; similarities: number[] }[];
  timing_ms: { decode: number; detect: number; align: number; embed: number };
}

/** Whole sessions through the reference, for benchmarks: one untimed warm-up, then `repeat` timed passes. */
export function runReferenceSessions(face: FaceConfig, sessions: { id: string; video: string }[], repeat: number, inputMode: ReferenceInputMode = 'square'): Promise<ReferenceSessionsRun> {
  const v = face.video;
  return call<ReferenceSessionsRun>({ ...request(face, inputMode), sessions, repeat, warmup: true, fps: v.sampleFps, max_frames: v.maxFrames, max_edge: v.maxEdge });
}

function call<T>(body: object): Promise<T> {
  const input = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const child = execFile(REFERENCE_PYTHON, [SCRIPT], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`OpenCV reference failed (${REFERENCE_PYTHON}): ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as T);
    });
    child.stdin?.end(input);
  });
}
