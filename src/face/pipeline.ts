import type { Logger } from 'pino';
import type { FaceConfig } from '../config/config.js';
import { YUNET_2023MAR_SHA256 } from '../config/config.js';
import { catalogued } from '../config/model-catalogue.js';
import type { FaceMatchResult } from '../contract/face-similarity.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import { analyzeFace, type AnalyzeOptions, type FaceAnalysis } from './comparison/analysis.js';
import { CloserLookNeeded, compareFaces, type CompareOptions } from './comparison/compare.js';
import { decodeImage } from './decode/image-decoder.js';
import { streamFrames } from './decode/video-frames.js';
import { AntiSpoofer } from './liveness/anti-spoof.js';
import { PlanarityWorker } from './liveness/planarity-worker.js';
import { LIVENESS_THRESHOLDS } from './liveness/thresholds.js';
import { BatchingEmbedder } from './models/batching-embedder.js';
import { crossComparisonBatching } from './models/batch-policy.js';
import { OnnxFaceEmbedder } from './models/embedder.js';
import { loadModel, type ModelFile } from './models/model-loader.js';
import { batchDynamic, dynamicSizeYuNet } from './models/model-variants.js';
import { OnnxRunner } from './models/onnx-runner.js';
import { YuNetDetector } from './models/yunet-detector.js';
import type { FaceModels } from './ports.js';
import type { QualityGates } from './quality/gates.js';
import type { Box, RgbImage } from './types.js';

export type { FrameReport } from '../contract/face-similarity.js';
export type { FaceAnalysis, StageTimings } from './comparison/analysis.js';
export type { LivenessRequest } from './liveness/recorder.js';

/** Bump when a change to this pipeline can change a score: it is part of every comparison key. */
export const PIPELINE_VERSION = 'fsp-7';

export type PipelineCompareOptions = Omit<CompareOptions, 'liveness'> & { liveness?: CompareOptions['liveness'] };

/** What the GPU activity needs of the pipeline; it adds the comparison key the result is stored under. */
export interface FaceComparer {
  readonly fingerprint: string;
  compare(idImagePath: string, selfieVideoPath: string, options?: PipelineCompareOptions): Promise<Omit<FaceMatchResult, 'comparisonKey'>>;
}

/**
 * The face pipeline, composed: its models loaded (checksums verified, the catalogue's edit made to
 * each known file), the embedder's batch policy chosen, the planarity thread started. The
 * comparison itself is comparison/compare.ts, over the two media this opens as sources.
 */
export class FacePipeline implements FaceComparer {
  /** `models` are the ONNX adapters `load` builds, or fakes in tests; `planarity` is needed by `compare`. */
  constructor(
    private readonly config: FaceConfig,
    private readonly models: FaceModels,
    private readonly planarity?: PlanarityWorker,
  ) {}

  static async load(config: FaceConfig, logger: Logger, metrics?: Pick<ServiceMetrics, 'planarityInlineFits'>): Promise<FacePipeline> {
    const options = { provider: config.executionProvider, intraOpThreads: config.intraOpThreads, logger };
    const load = async (model: ModelFile) => new OnnxRunner(await loadModel(model, { ...options, transform: variantOf(model, logger) }));
    const [detector, embedder, ...antiSpoof] = await Promise.all([load(config.detector), load(config.embedder), ...config.liveness.antiSpoofModels.map(load)]);
    const batching = crossComparisonBatching(embedder, config.embedBatch, logger);
    const pipeline = new FacePipeline(
      config,
      {
        detector: new YuNetDetector(detector, config.detector),
        embedder: batching ? new BatchingEmbedder(embedder, config.embedder, batching) : new OnnxFaceEmbedder(embedder, config.embedder),
        antiSpoof: new AntiSpoofer(antiSpoof.map((runner, i) => ({ runner, scale: config.liveness.antiSpoofModels[i]!.scale }))),
        executionProvider: detector.provider === embedder.provider ? detector.provider : `${detector.provider}+${embedder.provider}`,
      },
      new PlanarityWorker(logger, () => metrics?.planarityInlineFits.inc()),
    );
    await pipeline.warmUp();
    return pipeline;
  }

  /** Stops the planarity thread. */
  async close(): Promise<void> {
    await this.planarity?.close();
  }

  get executionProvider(): string {
    return this.models.executionProvider;
  }

  /** Embedder runs, faces, and runs shared by comparisons when embedding in batches (EMBED_BATCH_SIZE), else undefined. */
  get batchStats(): { runs: number; faces: number; sharedRuns: number } | undefined {
    return this.models.embedder instanceof BatchingEmbedder ? { ...this.models.embedder.stats } : undefined;
  }

  /** Fits done on the planarity thread and inline (the latter only when the thread failed). */
  get planarityStats(): { threaded: number; inline: number } | undefined {
    return this.planarity ? { ...this.planarity.stats } : undefined;
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
      `fps${c.video.sampleFps}x${c.video.maxFrames}@${c.video.maxEdge}z${c.video.closerLookMaxEdge}`,
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

  /** One image's faces, the largest aligned, measured and (past the gates, if any) embedded. */
  analyze(image: RgbImage, options: AnalyzeOptions = {}): Promise<FaceAnalysis> {
    return analyzeFace(this.models, this.config.embedder.inputSize, image, options);
  }

  /** MiniFASNet's fused probability that the face in `box` is a live one (class 1). */
  realProbability(image: RgbImage, box: Box): Promise<number> {
    return this.models.antiSpoof.realProbability(image, box);
  }

  /**
   * ID image vs selfie video. Frames are decoded at most `maxEdge` on their longest side; when
   * that left every face too small to judge (someone filmed from afar, in 4K), the video is
   * decoded once more, closer, up to `closerLookMaxEdge`: the cost falls only on those videos.
   */
  async compare(idImagePath: string, selfieVideoPath: string, options: PipelineCompareOptions = {}): Promise<Omit<FaceMatchResult, 'comparisonKey'>> {
    const c = this.config;
    try {
      return await this.compareAt(c.video.maxEdge, idImagePath, selfieVideoPath, { ...options, closerLookMaxEdge: c.video.closerLookMaxEdge || undefined });
    } catch (err) {
      if (!(err instanceof CloserLookNeeded)) throw err;
      return this.compareAt(err.maxEdge, idImagePath, selfieVideoPath, { ...options, closerLookMaxEdge: undefined });
    }
  }

  private compareAt(maxEdge: number, idImagePath: string, selfieVideoPath: string, options: PipelineCompareOptions): Promise<Omit<FaceMatchResult, 'comparisonKey'>> {
    if (!this.planarity) throw new Error('compare needs the planarity worker FacePipeline.load starts');
    const c = this.config;
    // Both decoders start at once: ffmpeg on the video, sharp (on libuv's pool) on the ID image.
    const sources = { frames: streamFrames(selfieVideoPath, { ...c.video, maxEdge }, c.decoder, options.signal), idImage: decodeImage(idImagePath, c.imageMaxPixels) };
    const antiSpoofModels = c.liveness.antiSpoofModels.map((m) => `${m.id}@${m.sha256.slice(0, 12)}`).join('+');
    return compareFaces({ config: c, models: this.models, liveness: { planarity: this.planarity, antiSpoofModels } }, sources, {
      ...options,
      liveness: options.liveness ?? { policy: c.liveness.defaultPolicy },
    });
  }
}

/** The edit the catalogue names for a model file, by its checksum; a failed edit is logged and the file runs as it is. */
function variantOf(model: ModelFile, logger: Logger): ((bytes: Uint8Array) => Uint8Array) | undefined {
  switch (catalogued(model.sha256)?.variant) {
    case 'dynamic-size':
      // The official 2023mar file, run at each frame's own aspect ratio.
      return dynamicSizeYuNet;
    case 'batch-dynamic':
      return (bytes) => {
        try {
          return batchDynamic(bytes);
        } catch (err) {
          logger.warn({ model: model.id, err: (err as Error).message }, "cannot open the model's batch dimension; one face a run");
          return bytes;
        }
      };
    default:
      return undefined;
  }
}
