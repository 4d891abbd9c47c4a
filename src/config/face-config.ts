import path from 'node:path';
import type { LivenessPolicy } from '../contract/liveness.js';
import type { Env } from './env-schema.js';
import { MINIFASNET_V1SE, MINIFASNET_V2 } from './model-catalogue.js';

/** The face pipeline's settings: models (files, checksums, preprocessing), sampling, gates, liveness. */
export function faceConfig<D>(e: Env, decoder: D, intraOpThreads: number) {
  const modelsDir = path.resolve(e.MODELS_DIR);
  const gates = (minFacePx: number, minSharpness: number) => ({ minFacePx, minSharpness, minBrightness: e.MIN_BRIGHTNESS, maxBrightness: e.MAX_BRIGHTNESS });
  return {
    detector: {
      id: e.DETECTOR_MODEL_ID,
      path: path.resolve(modelsDir, e.DETECTOR_MODEL_FILE),
      sha256: e.DETECTOR_MODEL_SHA256,
      scoreThreshold: e.DETECTOR_SCORE_THRESHOLD,
      nmsThreshold: e.DETECTOR_NMS_THRESHOLD,
    },
    embedder: {
      id: e.EMBEDDER_MODEL_ID,
      path: path.resolve(modelsDir, e.EMBEDDER_MODEL_FILE),
      sha256: e.EMBEDDER_MODEL_SHA256,
      channelOrder: e.EMBEDDER_CHANNEL_ORDER,
      mean: e.EMBEDDER_MEAN as [number, number, number],
      std: e.EMBEDDER_STD as [number, number, number],
      dimension: e.EMBEDDER_DIMENSION,
      inputSize: e.EMBEDDER_INPUT_SIZE,
    },
    matchThreshold: e.MATCH_THRESHOLD,
    executionProvider: e.EXECUTION_PROVIDER,
    embedBatch: { size: e.EMBED_BATCH_SIZE, waitMs: e.EMBED_BATCH_WAIT_MS },
    intraOpThreads,
    video: {
      sampleFps: e.VIDEO_SAMPLE_FPS,
      maxFrames: e.VIDEO_MAX_FRAMES,
      maxEdge: e.VIDEO_MAX_EDGE,
      closerLookMaxEdge: e.VIDEO_CLOSER_LOOK_MAX_EDGE,
      maxDurationMs: e.VIDEO_MAX_DURATION,
      ffmpegThreads: e.FFMPEG_THREADS,
      maxPixels: e.VIDEO_MAX_PIXELS,
      maxFrameRate: e.VIDEO_MAX_FRAME_RATE,
      maxFrameCount: e.VIDEO_MAX_FRAME_COUNT,
    },
    decoder,
    imageMaxPixels: e.IMAGE_MAX_PIXELS,
    gates: { document: gates(e.DOCUMENT_MIN_FACE_PX, e.DOCUMENT_MIN_SHARPNESS), frame: gates(e.FRAME_MIN_FACE_PX, e.FRAME_MIN_SHARPNESS) },
    bestFrames: e.BEST_FRAMES,
    liveness: {
      defaultPolicy: {
        motion: e.LIVENESS_MOTION,
        parallax: e.LIVENESS_PARALLAX,
        antiSpoof: e.LIVENESS_ANTI_SPOOF,
        documentReplay: e.LIVENESS_DOCUMENT_REPLAY,
        challenge: e.LIVENESS_CHALLENGE,
      } satisfies LivenessPolicy,
      antiSpoofModels: [
        { id: MINIFASNET_V2.id, path: path.resolve(modelsDir, e.ANTI_SPOOF_V2_MODEL_FILE), sha256: e.ANTI_SPOOF_V2_MODEL_SHA256, scale: MINIFASNET_V2.scale },
        { id: MINIFASNET_V1SE.id, path: path.resolve(modelsDir, e.ANTI_SPOOF_V1SE_MODEL_FILE), sha256: e.ANTI_SPOOF_V1SE_MODEL_SHA256, scale: MINIFASNET_V1SE.scale },
      ],
    },
  };
}
