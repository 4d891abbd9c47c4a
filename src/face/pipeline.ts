import type { Logger } from 'pino';
import type { FaceConfig } from '../config/config.js';
import { alignFace } from './align.js';
import { YuNetDetector } from './detector.js';
import { FaceEmbedder } from './embedder.js';
import { MediaRejectedError } from './errors.js';
import { decodeImage } from './image-decoder.js';
import { loadModel } from './model-loader.js';
import { cosineSimilarity } from './similarity.js';
import type { DetectedFace, RgbImage } from './types.js';
import { faceQuality } from './quality.js';
import { sampleFrames } from './video-frames.js';

/** Bump when a change to this pipeline can change a score: it is part of every idempotency key. */
export const PIPELINE_VERSION = 'fsp-2';

/** A second face at least this fraction of the largest one's area makes the ID ambiguous. */
const SECOND_FACE_AREA_RATIO = 0.5;

export interface FrameReport {
  timestampMs: number;
  /** Detection score x size x frontalness, 0..1; higher frames are trusted first. */
  quality: number;
  similarity: number;
}

export interface ComparisonReport {
  similarity: number;
  match: boolean;
  threshold: number;
  detectorModel: string;
  embedderModel: string;
  executionProvider: string;
  framesExamined: number;
  framesWithFace: number;
  frames: FrameReport[];
}

/** Every face found in one image, best first, and the embedding of its largest face. */
export interface FaceAnalysis {
  faces: DetectedFace[];
  largest?: DetectedFace;
  embedding?: Float32Array;
}

export interface CompareOptions {
  signal?: AbortSignal;
  /** Called after each video frame, so the caller can heartbeat. */
  onProgress?: (framesProcessed: number, framesTotal: number) => void;
}

export interface FaceComparer {
  readonly fingerprint: string;
  compare(idImagePath: string, selfieVideoPath: string, options?: CompareOptions): Promise<ComparisonReport>;
}

/**
 * ID image vs selfie video: the document's single dominant face against the largest face of each
 * sampled frame. Model sessions are created once, by `load`, and reused for every comparison.
 */
export class FacePipeline implements FaceComparer {
  private constructor(
    private readonly config: FaceConfig,
    private readonly detector: YuNetDetector,
    private readonly embedder: FaceEmbedder,
    readonly executionProvider: string,
  ) {}

  static async load(config: FaceConfig, logger: Logger): Promise<FacePipeline> {
    const options = { provider: config.executionProvider, intraOpThreads: config.intraOpThreads, logger };
    const [detectorModel, embedderModel] = await Promise.all([
      loadModel(config.detector, options),
      loadModel(config.embedder, options),
    ]);
    const pipeline = new FacePipeline(
      config,
      new YuNetDetector(detectorModel, config.detector),
      new FaceEmbedder(embedderModel, config.embedder),
      detectorModel.provider === embedderModel.provider ? detectorModel.provider : `${detectorModel.provider}+${embedderModel.provider}`,
    );
    await pipeline.warmUp();
    return pipeline;
  }

  /** Everything besides the input files that decides a result; part of the idempotency key. */
  get fingerprint(): string {
    const c = this.config;
    return [
      PIPELINE_VERSION,
      c.detector.id,
      c.embedder.id,
      `t${c.matchThreshold}`,
      `s${c.detector.scoreThreshold}`,
      `fps${c.video.sampleFps}x${c.video.maxFrames}@${c.video.maxEdge}`,
      `k${c.bestFrames}`,
    ].join('/');
  }

  /** The first ONNX run allocates and optimises; pay that at start, not in the first session. */
  private async warmUp(): Promise<void> {
    const blank = { width: 112, height: 112, data: new Uint8Array(112 * 112 * 3) };
    await this.detector.detect(blank);
    await this.embedder.embed(blank);
  }

  async compare(idImagePath: string, selfieVideoPath: string, options: CompareOptions = {}): Promise<ComparisonReport> {
    const idEmbedding = await this.embedDocumentFace(idImagePath);
    options.signal?.throwIfAborted();

    const sampled = await sampleFrames(selfieVideoPath, this.config.video, options.signal);
    const frames: FrameReport[] = [];
    try {
      for (const [index, frame] of sampled.frames.entries()) {
        options.signal?.throwIfAborted();
        const { largest: face, embedding } = await this.analyze(await decodeImage(frame.path));
        if (face && embedding) {
          frames.push({
            timestampMs: frame.timestampMs,
            quality: round(faceQuality(face)),
            similarity: round(cosineSimilarity(idEmbedding, embedding)),
          });
        }
        options.onProgress?.(index + 1, sampled.frames.length);
      }
    } finally {
      await sampled.cleanup();
    }

    if (frames.length === 0) {
      throw new MediaRejectedError('NO_FACE_IN_VIDEO', `no face found in ${sampled.frames.length} sampled frames`);
    }
    const similarity = round(aggregate(frames, this.config.bestFrames));
    return {
      similarity,
      match: similarity >= this.config.matchThreshold,
      threshold: this.config.matchThreshold,
      detectorModel: this.config.detector.id,
      embedderModel: this.config.embedder.id,
      executionProvider: this.executionProvider,
      framesExamined: sampled.frames.length,
      framesWithFace: frames.length,
      frames,
    };
  }

  /** Detects every face and embeds the largest one. */
  async analyze(image: RgbImage): Promise<FaceAnalysis> {
    const faces = await this.detector.detect(image);
    const face = largest(faces);
    if (!face) return { faces };
    return { faces, largest: face, embedding: await this.embedder.embed(alignFace(image, face.landmarks)) };
  }

  private async embedDocumentFace(path: string): Promise<Float32Array> {
    const { faces, largest: first, embedding } = await this.analyze(await decodeImage(path));
    if (!first || !embedding) throw new MediaRejectedError('NO_FACE_ON_DOCUMENT', 'no face found on the ID image');
    const second = faces.filter((f) => f !== first).reduce((max, f) => Math.max(max, area(f)), 0);
    if (second >= SECOND_FACE_AREA_RATIO * area(first)) {
      throw new MediaRejectedError('MULTIPLE_FACES_ON_DOCUMENT', `${faces.length} faces of similar size on the ID image`);
    }
    return embedding;
  }
}

/**
 * Mean similarity of the K frames of highest quality. Quality rather than similarity picks the
 * frames, so a video cannot pass on one lucky frame; the mean of several smooths blur and pose.
 */
export function aggregate(frames: readonly FrameReport[], bestK: number): number {
  const best = [...frames].sort((a, b) => b.quality - a.quality).slice(0, Math.max(1, bestK));
  return best.reduce((sum, f) => sum + f.similarity, 0) / best.length;
}

function area(face: DetectedFace): number {
  return face.box.width * face.box.height;
}

function largest(faces: DetectedFace[]): DetectedFace | undefined {
  return faces.reduce<DetectedFace | undefined>((best, f) => (best === undefined || area(f) > area(best) ? f : best), undefined);
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
