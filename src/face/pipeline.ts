import type { Logger } from 'pino';
import { YUNET_2023MAR_SHA256, type FaceConfig } from '../config/config.js';
import { batchDynamic, dynamicSizeYuNet } from './models/model-variants.js';
import { BatchingEmbedder } from './models/batching-embedder.js';
import type { FaceMatchResult, FrameReport, LivenessChallenge, LivenessPolicy } from '../contract/face-similarity.js';
import { alignFace } from './geometry/align.js';
import { MediaRejectedError } from '../media/errors.js';
import { checkDocumentFace, decideVideo, largestFace, round } from './decision/verdict.js';
import { OnnxFaceEmbedder } from './models/embedder.js';
import { YuNetDetector } from './models/yunet-detector.js';
import { decodeImage } from './decode/image-decoder.js';
import { AntiSpoofer } from './liveness/anti-spoof.js';
import { antiSpoofCheck, challengeCheck, documentReplayCheck, motionCheck, parallaxCheck, type CheckOutcome, type PlanarityResidual } from './liveness/checks.js';
import { PlanarityFits, PlanarityWorker } from './liveness/planarity-worker.js';
import { decideLiveness } from './liveness/decision.js';
import { PATCH_SIDE } from './liveness/dense-planarity.js';
import { greyThumb, type FrameEvidence } from './liveness/evidence.js';
import { LIVENESS_THRESHOLDS } from './liveness/thresholds.js';
import { loadModel, takesBatches } from './models/model-loader.js';
import { rotateImage, type QuarterTurns } from './geometry/rotate.js';
import { shrinkToFit } from './geometry/resize.js';
import { faceQuality } from './quality/face-quality.js';
import { firstFailure, measureFace, type FaceMeasures, type GateFailure, type QualityGates } from './quality/gates.js';
import { cosineSimilarity } from './decision/similarity.js';
import type { FaceModels } from './ports.js';
import type { DetectedFace, RgbImage } from './types.js';
import { streamFrames } from './decode/video-frames.js';

/** Input edge of the orientation question: half of YuNet's 640, a quarter of its pixels. */
const ORIENTATION_INPUT_EDGE = 320;

export type { FrameReport } from '../contract/face-similarity.js';

/** The batch-dynamic form of a model when it can be made; the file as it is otherwise (one face a run). */
function openBatchIfPossible(logger: Logger, model: string) {
  return (bytes: Uint8Array): Uint8Array => {
    try {
      return batchDynamic(bytes);
    } catch (err) {
      logger.warn({ model, err: (err as Error).message }, 'cannot open the model\'s batch dimension; one face a run');
      return bytes;
    }
  };
}

/** Bump when a change to this pipeline can change a score: it is part of every comparison key. */
export const PIPELINE_VERSION = 'fsp-6';

/** What a session asks of liveness: its policy, fixed when it was created, and its challenge. */
export interface LivenessRequest {
  policy: LivenessPolicy;
  challenge?: LivenessChallenge | null;
}

/** Every face found in one image, best first; the largest one measured and, unless a gate failed, embedded. */
export interface FaceAnalysis {
  faces: DetectedFace[];
  largest?: DetectedFace;
  measures?: FaceMeasures;
  failure?: GateFailure;
  aligned?: RgbImage;
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
}

export interface CompareOptions {
  signal?: AbortSignal;
  /** Called after each video frame, so the caller can heartbeat. */
  onProgress?: (framesProcessed: number) => void;
  timings?: StageTimings;
  /** Defaults to the service-wide policy of the configuration, without a challenge. */
  liveness?: LivenessRequest;
  /** Receives the per-frame liveness evidence (calibration and diagnostics). */
  onEvidence?: (evidence: readonly FrameEvidence[]) => void;
}

/** What the GPU activity needs of the pipeline; it adds the comparison key the result is stored under. */
export interface FaceComparer {
  readonly fingerprint: string;
  compare(idImagePath: string, selfieVideoPath: string, options?: CompareOptions): Promise<Omit<FaceMatchResult, 'comparisonKey'>>;
}

/**
 * ID image vs selfie video: the document's single dominant face against the largest face of each
 * sampled frame, both through quality gates. Model sessions are created once, by `load`.
 */
export class FacePipeline implements FaceComparer {
  /** `models` are the ONNX adapters `load` builds, or fakes in tests. */
  constructor(
    private readonly config: FaceConfig,
    private readonly models: FaceModels,
    /** Where planarity pairs are fitted while frames arrive; inline after the loop without one. */
    private readonly planarity?: PlanarityWorker,
  ) {}

  /** Stops the planarity thread; the pipeline fits inline afterwards. */
  async close(): Promise<void> {
    await this.planarity?.close();
  }

  get executionProvider(): string {
    return this.models.executionProvider;
  }

  /** Embedder runs and faces so far when embedding in batches (EMBED_BATCH_SIZE), else undefined. */
  get batchStats(): { runs: number; faces: number } | undefined {
    return this.models.embedder instanceof BatchingEmbedder ? { ...this.models.embedder.stats } : undefined;
  }

  static async load(config: FaceConfig, logger: Logger): Promise<FacePipeline> {
    const options = { provider: config.executionProvider, intraOpThreads: config.intraOpThreads, logger };
    // The official 2023mar file, run at each frame's own aspect ratio (model-variants.ts).
    const dynamicDetector = config.detector.sha256 === YUNET_2023MAR_SHA256;
    // The embedder's batch dimension is opened everywhere: a comparison embeds its frames together
    // (on a CPU too), and on CUDA faces are batched across comparisons as well.
    const [detectorModel, embedderModel, ...antiSpoofModels] = await Promise.all([
      loadModel(config.detector, { ...options, ...(dynamicDetector ? { transform: dynamicSizeYuNet } : {}) }),
      loadModel(config.embedder, { ...options, transform: openBatchIfPossible(logger, config.embedder.id) }),
      // The best frames go through each anti-spoofing model in one run.
      ...config.liveness.antiSpoofModels.map((m) => loadModel(m, { ...options, transform: openBatchIfPossible(logger, m.id) })),
    ]);
    const batchSize = config.embedBatch.size || (embedderModel.provider === 'cuda' ? 16 : 1);
    const batchable = takesBatches(embedderModel);
    if (batchSize > 1 && !batchable) logger.warn({ model: config.embedder.id, batchSize }, 'the embedder has a fixed batch size; embedding one face per run');
    const embedder =
      batchSize > 1 && batchable
        ? new BatchingEmbedder(embedderModel, config.embedder, { maxBatch: batchSize, maxWaitMs: config.embedBatch.waitMs })
        : new OnnxFaceEmbedder(embedderModel, config.embedder);
    if (embedder instanceof BatchingEmbedder) logger.info({ maxBatch: batchSize, maxWaitMs: config.embedBatch.waitMs }, 'embedding in batches across concurrent comparisons');
    const pipeline = new FacePipeline(config, {
      detector: new YuNetDetector(detectorModel, config.detector),
      embedder,
      antiSpoof: new AntiSpoofer(antiSpoofModels.map((model, i) => ({ model, scale: config.liveness.antiSpoofModels[i]!.scale }))),
      executionProvider:
        detectorModel.provider === embedderModel.provider ? detectorModel.provider : `${detectorModel.provider}+${embedderModel.provider}`,
    }, new PlanarityWorker(logger));
    await pipeline.warmUp();
    return pipeline;
  }

  /** Everything besides the input files that decides a result; part of the comparison key. */
  get fingerprint(): string {
    const c = this.config;
    const gates = (g: QualityGates) => `${g.minFacePx}/${g.minSharpness}/${g.minBrightness}-${g.maxBrightness}`;
    return [
      PIPELINE_VERSION,
      `${c.detector.id}${c.detector.sha256 === YUNET_2023MAR_SHA256 ? '@dyn' : ''}`,
      `${c.embedder.id}@${c.embedder.inputSize}`,
      `t${c.matchThreshold}`,
      `s${c.detector.scoreThreshold}`,
      `fps${c.video.sampleFps}x${c.video.maxFrames}@${c.video.maxEdge}`,
      `k${c.bestFrames}`,
      `gd${gates(c.gates.document)}`,
      `gf${gates(c.gates.frame)}`,
      `lv${Object.values(LIVENESS_THRESHOLDS).join(',')}`,
      c.liveness.antiSpoofModels.map((m) => m.sha256.slice(0, 12)).join('+'),
    ].join('/');
  }

  /** The first ONNX run allocates and optimises; pay that at start, not in the first session. */
  private async warmUp(): Promise<void> {
    const size = this.config.embedder.inputSize;
    const blank = { width: size, height: size, data: new Uint8Array(size * size * 3) };
    await this.models.detector.detect(blank);
    await this.models.embedder.embed(blank);
    await this.models.antiSpoof.realProbability(blank, { x: 40, y: 40, width: 32, height: 32 });
  }

  /** Detects every face, then aligns, measures and (if it passes `gates`, or without gates) embeds the largest. */
  async analyze(image: RgbImage, options: AnalyzeOptions = {}): Promise<FaceAnalysis> {
    const { gates, timings } = options;
    let t = performance.now();
    const lap = (stage: keyof StageTimings) => {
      const now = performance.now();
      if (timings) timings[stage] += now - t;
      t = now;
    };
    const faces = await this.models.detector.detect(image, { retryPadded: options.retryPadded });
    lap('detect');
    const face = largestFace(faces);
    if (!face) return { faces };
    const aligned = alignFace(image, face.landmarks, this.config.embedder.inputSize);
    lap('align');
    const measures = measureFace(face, aligned);
    const failure = gates ? firstFailure(measures, gates) : undefined;
    if (failure || options.embed === false) return { faces, largest: face, measures, failure, aligned };
    const embedding = await this.models.embedder.embed(aligned);
    lap('embed');
    return { faces, largest: face, measures, aligned, embedding };
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
  private async analyzeUpright(
    frame: RgbImage,
    orientation: { turns: QuarterTurns; known: boolean },
    timings?: StageTimings,
  ): Promise<{ image: RgbImage; analysis: FaceAnalysis }> {
    const gates = this.config.gates.frame;
    const image = rotateImage(frame, orientation.turns);
    const analysis = await this.analyze(image, { gates, timings, embed: false });
    if (orientation.known || !analysis.largest) return { image, analysis };
    orientation.known = true;
    const started = performance.now();
    const turns = (await this.surestTurn(frame, ORIENTATION_INPUT_EDGE)) ?? (await this.surestTurn(frame)) ?? orientation.turns;
    if (timings) timings.detect += performance.now() - started;
    if (turns === orientation.turns) return { image, analysis };
    orientation.turns = turns;
    const turned = rotateImage(frame, turns);
    return { image: turned, analysis: await this.analyze(turned, { gates, timings, embed: false }) };
  }

  /** The quarter turn of `frame` whose largest face the detector is surest of; undefined when it finds none. */
  private async surestTurn(frame: RgbImage, maxInputEdge?: number): Promise<QuarterTurns | undefined> {
    // Shrunk once and then turned, rather than each turn of the whole frame shrunk again.
    const image = maxInputEdge ? shrinkToFit(frame, maxInputEdge) : frame;
    let best: { turns: QuarterTurns; score: number } | undefined;
    for (const turns of [0, 1, 2, 3] as const) {
      const face = largestFace(await this.models.detector.detect(rotateImage(image, turns), { maxInputEdge }));
      if (face && (!best || face.score > best.score)) best = { turns, score: face.score };
    }
    return best?.turns;
  }

  async compare(idImagePath: string, selfieVideoPath: string, options: CompareOptions = {}): Promise<Omit<FaceMatchResult, 'comparisonKey'>> {
    const { timings, signal } = options;
    const liveness = options.liveness ?? { policy: this.config.liveness.defaultPolicy };
    // Both decoders start at once: ffmpeg on the video, sharp (on libuv's pool) on the ID image.
    // Whichever gives its pixels first is worked on first, so neither decoder's start-up or first
    // frame leaves this thread idle (a high-detail I-frame alone can take 130 ms to decode).
    const frameStream = streamFrames(selfieVideoPath, this.config.video, this.config.decoder, signal);
    const idPixels = decodeImage(idImagePath, this.config.imageMaxPixels);
    const idDecoded = idPixels.then(() => true, () => true);
    // One memoised promise: the ID's outcome, asked for again on any failure, always wins, so a
    // session with a bad ID image and a bad video is refused for the same reason every time.
    let idWork: Promise<Float32Array> | undefined;
    const embedId = () => (idWork ??= idPixels.then((image) => this.embedDocumentFace(image, timings)));

    const frames: FrameReport[] = [];
    const evidence: FrameEvidence[] = [];
    // The best frames by quality, kept whole for the anti-spoofing models (a handful of frames).
    const candidates: { timestampMs: number; quality: number; image: RgbImage; box: DetectedFace['box'] }[] = [];
    const keep = LIVENESS_THRESHOLDS.antiSpoofFrames;
    const orientation: { turns: QuarterTurns; known: boolean } = { turns: 0, known: false };
    const planarity = this.planarity && liveness.policy.parallax !== 'off' ? new PlanarityFits(this.planarity, LIVENESS_THRESHOLDS.parallaxPairGapMs) : undefined;
    // Faces that passed the gates, embedded together once ffmpeg is done: a run of several faces
    // costs less per face than one each, and runs that share the cores with ffmpeg cost more.
    const unembedded: { frame: number; aligned: RgbImage }[] = [];
    let waited = performance.now();
    let pending = frameStream.next();
    pending.catch(() => undefined);
    try {
      for (;;) {
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
        const { image, analysis } = await this.analyzeUpright(frame.image, orientation, timings);
        const face = analysis.largest;
        const quality = face ? round(faceQuality(face)) : null;
        if (face && analysis.aligned && !analysis.failure) unembedded.push({ frame: frames.length, aligned: analysis.aligned });
        frames.push({
          timestampMs: frame.timestampMs,
          faceFound: face !== undefined,
          quality,
          similarity: null,
          excludedBy: analysis.failure ?? null,
          used: false,
        });
        const seen: FrameEvidence = {
          timestampMs: frame.timestampMs,
          ...(face && analysis.aligned
            ? { face: { landmarks: face.landmarks, alignedThumb: greyThumb(analysis.aligned.data, analysis.aligned.width, analysis.aligned.height), alignedPatch: greyThumb(analysis.aligned.data, analysis.aligned.width, analysis.aligned.height, PATCH_SIDE), similarity: null } }
            : {}),
        };
        evidence.push(seen);
        if (seen.face) planarity?.add(seen);
        if (face && !analysis.failure && quality !== null) {
          candidates.push({ timestampMs: frame.timestampMs, quality, image, box: face.box });
          candidates.sort((a, b) => b.quality - a.quality);
          candidates.length = Math.min(candidates.length, keep);
        }
        options.onProgress?.(frames.length);
        waited = performance.now();
        pending = frameStream.next();
        pending.catch(() => undefined);
      }
    } catch (err) {
      if (!signal?.aborted) await embedId();
      throw err;
    } finally {
      // Stops ffmpeg when the loop ends early (a failure, a cancellation); a no-op after the last frame.
      await frameStream.return(undefined);
    }
    if (!idWork) {
      await idDecoded;
      if (timings) timings.decode += performance.now() - waited;
    }
    const idEmbedding = await embedId();
    signal?.throwIfAborted();
    const embedStarted = performance.now();
    const embeddings = await this.models.embedder.embedAll(unembedded.map((f) => f.aligned));
    if (timings) timings.embed += performance.now() - embedStarted;
    unembedded.forEach(({ frame }, i) => {
      const similarity = round(cosineSimilarity(idEmbedding, embeddings[i]!));
      frames[frame]!.similarity = similarity;
      evidence[frame]!.face!.similarity = similarity;
    });

    const { similarity, match, framesWithFace } = decideVideo(frames, this.config);

    options.onEvidence?.(evidence);
    const started = performance.now();
    const { report: livenessReport, rejection } = decideLiveness(
      await this.livenessOutcomes(evidence, candidates, liveness, await planarity?.residuals()),
      liveness.policy,
      { antiSpoof: this.config.liveness.antiSpoofModels.map((m) => `${m.id}@${m.sha256.slice(0, 12)}`).join('+') },
    );
    if (timings) timings.liveness += performance.now() - started;
    if (rejection) {
      const failed = livenessReport.checks.find((c) => c.check === livenessReport.failedCheck);
      throw new MediaRejectedError(rejection, `liveness check "${failed?.check}" failed: ${failed?.detail} (score ${failed?.score}, threshold ${failed?.threshold})`, livenessReport);
    }
    return {
      similarity,
      match,
      threshold: this.config.matchThreshold,
      detectorModel: this.config.detector.id,
      embedderModel: this.config.embedder.id,
      executionProvider: this.executionProvider,
      framesExamined: frames.length,
      framesWithFace,
      frames,
      videoRotation: orientation.turns * 90,
      liveness: livenessReport,
    };
  }

  /** MiniFASNet's fused probability that the face in `box` is a live one (class 1). */
  realProbability(image: RgbImage, box: DetectedFace['box']): Promise<number> {
    return this.models.antiSpoof.realProbability(image, box);
  }

  /** Runs the checks the policy does not turn off, on the evidence the frame loop collected. */
  private async livenessOutcomes(
    evidence: FrameEvidence[],
    candidates: { timestampMs: number; image: RgbImage; box: DetectedFace['box'] }[],
    request: LivenessRequest,
    planarityResidual?: PlanarityResidual,
  ): Promise<Partial<Record<keyof LivenessPolicy, CheckOutcome>>> {
    const t = LIVENESS_THRESHOLDS;
    const on = (check: keyof LivenessPolicy) => request.policy[check] !== 'off';
    const outcomes: Partial<Record<keyof LivenessPolicy, CheckOutcome>> = {};
    if (on('motion')) outcomes.motion = motionCheck(evidence, t);
    if (on('parallax')) outcomes.parallax = parallaxCheck(evidence, t, planarityResidual);
    if (on('documentReplay')) outcomes.documentReplay = documentReplayCheck(evidence, t);
    if (on('challenge')) outcomes.challenge = challengeCheck(evidence, request.challenge?.steps ?? [], t);
    if (on('antiSpoof')) {
      const reals = await this.models.antiSpoof.realProbabilities(candidates);
      const scores = candidates.map((c, i) => ({ timestampMs: c.timestampMs, real: reals[i]! }));
      scores.sort((a, b) => a.timestampMs - b.timestampMs);
      outcomes.antiSpoof = antiSpoofCheck(scores, t);
    }
    return outcomes;
  }

  private async embedDocumentFace(image: RgbImage, timings?: StageTimings): Promise<Float32Array> {
    const { faces, largest: first, failure, embedding } = await this.analyze(image, {
      gates: this.config.gates.document,
      retryPadded: true,
      timings,
    });
    checkDocumentFace(faces, first, failure);
    if (!embedding) throw new Error('the ID face passed its gates but was not embedded');
    return embedding;
  }
}
