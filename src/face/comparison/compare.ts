import type { FaceMatchResult, FrameReport } from '../../contract/face-similarity.js';
import type { FaceConfig } from '../../config/config.js';
import { MediaRejectedError } from '../../media/errors.js';
import type { VideoFrame } from '../decode/video-frames.js';
import { cosineSimilarity } from '../decision/similarity.js';
import { checkDocumentFace, decideVideo, round } from '../decision/verdict.js';
import { boxThumb } from '../image/luma.js';
import { PATCH_SIDE } from '../liveness/dense-planarity.js';
import { THUMB_SIDE, type FrameEvidence } from '../liveness/evidence.js';
import { LivenessRecorder, type LivenessParts, type LivenessRequest } from '../liveness/recorder.js';
import type { FaceModels } from '../ports.js';
import { faceQuality } from '../quality/face-quality.js';
import type { RgbImage } from '../types.js';
import type { QuarterTurns } from '../geometry/rotate.js';
import { analyzeFace, analyzeUpright, type StageTimings } from './analysis.js';

/** What one comparison works with: the settings, the models, the liveness machinery. */
export interface ComparisonParts {
  config: Pick<FaceConfig, 'matchThreshold' | 'bestFrames' | 'gates' | 'embedder' | 'detector'>;
  models: FaceModels;
  liveness: Omit<LivenessParts, 'antiSpoof'>;
}

/** The comparison's two media, as sources: the selfie video's sampled frames, and the ID image's pixels. */
export interface ComparisonSources {
  frames: AsyncGenerator<VideoFrame>;
  idImage: Promise<RgbImage>;
}

export interface CompareOptions {
  signal?: AbortSignal;
  /** Called after each video frame, so the caller can heartbeat. */
  onProgress?: (framesProcessed: number) => void;
  timings?: StageTimings;
  liveness: LivenessRequest;
  /** Receives the per-frame liveness evidence (calibration and diagnostics). */
  onEvidence?: (evidence: readonly FrameEvidence[]) => void;
  /**
   * The longest frame edge a closer look may decode at: when every face in a scaled-down video is
   * too small to embed well, the comparison asks for one (CloserLookNeeded). Absent: decide as is.
   */
  closerLookMaxEdge?: number;
  /** The session's own threshold (a tenant's, within MATCH_THRESHOLD_BOUNDS); absent: the service's. */
  matchThreshold?: number;
}

/** Faces smaller than this (short side, decoded pixels) in a scaled-down video ask for a closer look. */
export const CLOSER_LOOK_BELOW_PX = 64;
/** The face size a closer look aims for: full size for the embedder's 112-pixel input. */
const CLOSER_LOOK_TARGET_PX = 112;

/**
 * The video was scaled down so far that its faces are too small to judge, while the camera
 * recorded them larger: decode it again with frames up to `maxEdge` on their longest side.
 */
export class CloserLookNeeded extends Error {
  constructor(readonly maxEdge: number) {
    super(`faces are small in the scaled-down frames; look again at up to ${maxEdge} px`);
    this.name = 'CloserLookNeeded';
  }
}

/** The longest edge at which the largest face seen would be full size, within the video's own size and `limit`; undefined when that gains little. */
export function closerLookEdge(largestFacePx: number, frame: { width: number; height: number }, native: { width: number; height: number }, limit: number): number | undefined {
  if (largestFacePx <= 0 || largestFacePx >= CLOSER_LOOK_BELOW_PX) return undefined;
  const edge = Math.max(frame.width, frame.height);
  const wanted = Math.ceil((edge * CLOSER_LOOK_TARGET_PX) / largestFacePx);
  const possible = Math.min(wanted, Math.max(native.width, native.height), limit);
  return possible >= edge * 1.25 ? possible : undefined;
}

/**
 * ID image vs selfie video, top to bottom: both media decode at once; each sampled frame's
 * largest face is turned upright, aligned, measured against the gates and recorded for liveness,
 * while the ID's face is found and embedded as soon as its pixels are in; then the frames'
 * faces are embedded together, the video decided from its best frames, and liveness decided.
 */
export async function compareFaces(parts: ComparisonParts, sources: ComparisonSources, options: CompareOptions): Promise<Omit<FaceMatchResult, 'comparisonKey'>> {
  const { config, models } = parts;
  const { timings, signal } = options;
  // Who is asking, for the embedder's cross-comparison batching (its stats name shared runs).
  const caller = {};
  const idDecoded = sources.idImage.then(() => true, () => true);
  // One memoised promise: the ID's outcome, asked for again on any failure, always wins, so a
  // session with a bad ID image and a bad video is refused for the same reason every time.
  let idWork: Promise<Float32Array> | undefined;
  const embedId = () => (idWork ??= sources.idImage.then((image) => embedDocumentFace(parts, image, caller, timings)));

  const frames: FrameReport[] = [];
  const liveness = new LivenessRecorder({ ...parts.liveness, antiSpoof: models.antiSpoof }, options.liveness);
  const orientation: { turns: QuarterTurns; known: boolean } = { turns: 0, known: false };
  // Faces that passed the gates, embedded together once ffmpeg is done: a run of several faces
  // costs less per face than one each, and runs that share the cores with ffmpeg cost more.
  const unembedded: { frame: number; aligned: RgbImage }[] = [];
  const frameSettings = { inputSize: config.embedder.inputSize, gates: config.gates.frame };
  // The largest face any frame showed (decoded pixels), and the frames' size against the video's.
  let largestFacePx = 0;
  let sizes: { frame: { width: number; height: number }; native: { width: number; height: number } } | undefined;
  let waited = performance.now();
  let pending = sources.frames.next();
  pending.catch(() => undefined);
  try {
    for (;;) {
      // Whichever decoder gives its pixels first is worked on first: a high-detail I-frame alone
      // can take 130 ms to decode, and this thread need not sit idle through it.
      if (!idWork && (await Promise.race([idDecoded, pending.then(() => false, () => false)]))) {
        if (timings) timings.decode += performance.now() - waited;
        await embedId();
        waited = performance.now();
        continue;
      }
      const next = await pending;
      if (timings) timings.decode += performance.now() - waited;
      if (next.done) break;
      const frame = next.value;
      const { image, analysis } = await analyzeUpright(models, frameSettings, frame.image, orientation, timings);
      const face = analysis.largest;
      sizes ??= { frame: frame.image, native: frame.native };
      if (face) largestFacePx = Math.max(largestFacePx, Math.min(face.box.width, face.box.height));
      const quality = face ? round(faceQuality(face)) : null;
      const usable = face && analysis.aligned && !analysis.failure && quality !== null;
      if (usable) unembedded.push({ frame: frames.length, aligned: analysis.aligned! });
      frames.push({ timestampMs: frame.timestampMs, faceFound: face !== undefined, quality, similarity: null, excludedBy: analysis.failure ?? null, used: false });
      liveness.add(
        {
          timestampMs: frame.timestampMs,
          ...(face && analysis.luma ? { face: { landmarks: face.landmarks, alignedThumb: boxThumb(analysis.luma, THUMB_SIDE), alignedPatch: boxThumb(analysis.luma, PATCH_SIDE), similarity: null } } : {}),
        },
        usable ? { quality, image, box: face.box } : undefined,
      );
      options.onProgress?.(frames.length);
      waited = performance.now();
      pending = sources.frames.next();
      pending.catch(() => undefined);
    }
  } catch (err) {
    if (!signal?.aborted) await embedId();
    throw err;
  } finally {
    // Stops ffmpeg when the loop ends early (a failure, a cancellation); a no-op after the last frame.
    await sources.frames.return(undefined);
  }
  if (!idWork) {
    await idDecoded;
    if (timings) timings.decode += performance.now() - waited;
  }
  const idEmbedding = await embedId();
  signal?.throwIfAborted();
  const closer = sizes && options.closerLookMaxEdge ? closerLookEdge(largestFacePx, sizes.frame, sizes.native, options.closerLookMaxEdge) : undefined;
  if (closer) throw new CloserLookNeeded(closer);
  const embedStarted = performance.now();
  const embeddings = await models.embedder.embedAll(unembedded.map((f) => f.aligned), caller);
  if (timings) timings.embed += performance.now() - embedStarted;
  unembedded.forEach(({ frame }, i) => {
    const similarity = round(cosineSimilarity(idEmbedding, embeddings[i]!));
    frames[frame]!.similarity = similarity;
    liveness.evidence[frame]!.face!.similarity = similarity;
  });

  const threshold = options.matchThreshold ?? config.matchThreshold;
  const { similarity, match, framesWithFace } = decideVideo(frames, { bestFrames: config.bestFrames, matchThreshold: threshold });
  options.onEvidence?.(liveness.evidence);
  const started = performance.now();
  const { report, rejection } = await liveness.decide();
  if (timings) timings.liveness += performance.now() - started;
  if (rejection) {
    const failed = report.checks.find((c) => c.check === report.failedCheck);
    throw new MediaRejectedError(rejection, `liveness check "${failed?.check}" failed: ${failed?.detail} (score ${failed?.score}, threshold ${failed?.threshold})`, report);
  }
  return {
    similarity,
    match,
    threshold,
    detectorModel: config.detector.id,
    embedderModel: config.embedder.id,
    executionProvider: models.executionProvider,
    framesExamined: frames.length,
    framesWithFace,
    frames,
    videoRotation: orientation.turns * 90,
    liveness: report,
  };
}

/** The ID's one trustworthy face, embedded; a refusal (no face, two faces, a failed gate) as MediaRejectedError. */
async function embedDocumentFace(parts: ComparisonParts, image: RgbImage, caller: object, timings?: StageTimings): Promise<Float32Array> {
  const { faces, largest, failure, embedding } = await analyzeFace(parts.models, parts.config.embedder.inputSize, image, { gates: parts.config.gates.document, retryPadded: true, timings, caller });
  checkDocumentFace(faces, largest, failure);
  if (!embedding) throw new Error('the ID face passed its gates but was not embedded');
  return embedding;
}
