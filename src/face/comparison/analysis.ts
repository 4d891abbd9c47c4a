import { alignFace, alignmentScale } from '../geometry/align.js';
import { shrinkToFit } from '../geometry/resize.js';
import { rotateImage, type QuarterTurns } from '../geometry/rotate.js';
import { lumaPlane, type LumaPlane } from '../image/luma.js';
import { largestFace } from '../decision/verdict.js';
import type { FaceModels } from '../ports.js';
import { firstFailure, measureFace, nativeSide, type FaceMeasures, type GateFailure, type QualityGates } from '../quality/gates.js';
import type { DetectedFace, RgbImage } from '../types.js';

/** Input edge of the orientation question: half of YuNet's 640, a quarter of its pixels. */
const ORIENTATION_INPUT_EDGE = 320;

/** Every face found in one image, best first; the largest one measured and, unless a gate failed, embedded. */
export interface FaceAnalysis {
  faces: DetectedFace[];
  largest?: DetectedFace;
  measures?: FaceMeasures;
  failure?: GateFailure;
  aligned?: RgbImage;
  /** The aligned face's grey levels, computed once (quality gates, liveness thumbnails). */
  luma?: LumaPlane;
  embedding?: Float32Array;
}

/** Milliseconds spent per stage, accumulated across calls (benchmarks pass one in). */
export interface StageTimings {
  /** Image decoding, and waiting for ffmpeg's next frame. */
  decode: number;
  detect: number;
  align: number;
  embed: number;
  /** The liveness checks after the frame loop (anti-spoofing models included). */
  liveness: number;
}

export interface AnalyzeOptions {
  gates?: QualityGates;
  timings?: StageTimings;
  /** Look again with a border when nothing is found (ID documents: tight crops). */
  retryPadded?: boolean;
  /** False: align and measure only; the caller embeds the face later, with others. */
  embed?: boolean;
  /** Who asks, for the embedder's cross-comparison batching. */
  caller?: object;
}

/** Detects every face, then aligns, measures and (if it passes `gates`, or without gates) embeds the largest. */
export async function analyzeFace(models: Pick<FaceModels, 'detector' | 'embedder'>, inputSize: number, image: RgbImage, options: AnalyzeOptions = {}): Promise<FaceAnalysis> {
  const { gates, timings } = options;
  let t = performance.now();
  const lap = (stage: keyof StageTimings) => {
    const now = performance.now();
    if (timings) timings[stage] += now - t;
    t = now;
  };
  const faces = await models.detector.detect(image, { retryPadded: options.retryPadded });
  lap('detect');
  const face = largestFace(faces);
  if (!face) return { faces };
  const aligned = alignFace(image, face.landmarks, inputSize);
  lap('align');
  const luma = lumaPlane(aligned);
  const side = nativeSide(alignmentScale(face.landmarks, inputSize), inputSize);
  const measures = measureFace(face, luma, side === inputSize ? luma : lumaPlane(alignFace(image, face.landmarks, side)));
  const failure = gates ? firstFailure(measures, gates) : undefined;
  if (failure || options.embed === false) return { faces, largest: face, measures, failure, aligned, luma };
  const embedding = await models.embedder.embed(aligned, options.caller);
  lap('embed');
  return { faces, largest: face, measures, aligned, luma, embedding };
}

/**
 * A video frame's analysis in the orientation its face stands upright. Phones held upside down
 * or sideways without a rotation tag give frames in which the detector may still box a face,
 * with landmarks it places as if the face were upright (the mouth corners taken for eyes), so
 * the alignment and every score after it would be garbage: a confident "no match". At the
 * first frame with a face, the detector is asked about every quarter turn at half its input
 * size (a quarter of the pixels: the four questions cost about one full detection) and the turn
 * it is surest of is kept for the rest of the video. Faces too small to be found at that size
 * get the same questions at full size.
 */
export async function analyzeUpright(
  models: Pick<FaceModels, 'detector' | 'embedder'>,
  settings: { inputSize: number; gates: QualityGates },
  frame: RgbImage,
  orientation: { turns: QuarterTurns; known: boolean },
  timings?: StageTimings,
): Promise<{ image: RgbImage; analysis: FaceAnalysis }> {
  // Padded like an ID image: a phone held close fills the frame with the face, or cuts it.
  const analyze = (image: RgbImage) => analyzeFace(models, settings.inputSize, image, { gates: settings.gates, timings, embed: false, retryPadded: true });
  const image = rotateImage(frame, orientation.turns);
  const analysis = await analyze(image);
  if (orientation.known || !analysis.largest) return { image, analysis };
  orientation.known = true;
  const started = performance.now();
  const turns = (await surestTurn(models, frame, ORIENTATION_INPUT_EDGE)) ?? (await surestTurn(models, frame)) ?? orientation.turns;
  if (timings) timings.detect += performance.now() - started;
  if (turns === orientation.turns) return { image, analysis };
  orientation.turns = turns;
  const turned = rotateImage(frame, turns);
  return { image: turned, analysis: await analyze(turned) };
}

/** The quarter turn of `frame` whose largest face the detector is surest of; undefined when it finds none. */
async function surestTurn(models: Pick<FaceModels, 'detector'>, frame: RgbImage, maxInputEdge?: number): Promise<QuarterTurns | undefined> {
  // Shrunk once and then turned, rather than each turn of the whole frame shrunk again.
  const image = maxInputEdge ? shrinkToFit(frame, maxInputEdge) : frame;
  let best: { turns: QuarterTurns; score: number } | undefined;
  for (const turns of [0, 1, 2, 3] as const) {
    const face = largestFace(await models.detector.detect(rotateImage(image, turns), { maxInputEdge }));
    if (face && (!best || face.score > best.score)) best = { turns, score: face.score };
  }
  return best?.turns;
}
