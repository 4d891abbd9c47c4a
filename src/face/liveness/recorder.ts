import type { LivenessChallenge, LivenessPolicy, LivenessReport, RejectionReason } from '../../contract/face-similarity.js';
import type { PresentationAttackScorer } from '../ports.js';
import { isColourless } from '../image/colour.js';
import type { Box, RgbImage } from '../types.js';
import { antiSpoofCheck, challengeCheck, documentReplayCheck, motionCheck, parallaxCheck, type CheckOutcome, type LivenessThresholds } from './checks.js';
import { decideLiveness } from './decision.js';
import type { FrameEvidence } from './evidence.js';
import type { PlanarityWorker } from './planarity-worker.js';
import { LIVENESS_THRESHOLDS } from './thresholds.js';

/** What a session asks of liveness: its policy, fixed when it was created, and its challenge. */
export interface LivenessRequest {
  policy: LivenessPolicy;
  challenge?: LivenessChallenge | null;
}

export interface LivenessParts {
  antiSpoof: PresentationAttackScorer;
  planarity: PlanarityWorker;
  /** The anti-spoofing models' ids and checksums, reported with the check. */
  antiSpoofModels: string;
}

type Pair = [FrameEvidence, FrameEvidence];

/**
 * The frame pairs planarity compares: each frame with the first one at least `gapMs` later, so a
 * live face has had time to change (a blink, a word, a turn) whatever the sampling rate. Fed
 * frames in order, it names each pair as soon as its later frame arrives, so the pipeline can fit
 * pairs while the video is still decoding; clips shorter than the gap fall back to consecutive
 * frames, known only at the end.
 */
export class PlanarityPairs {
  private readonly waiting: FrameEvidence[] = [];
  private readonly faces: FrameEvidence[] = [];
  readonly pairs: [FrameEvidence, FrameEvidence][] = [];

  constructor(private readonly gapMs: number) {}

  /** Adds the next frame with a face; returns the pairs it completes. */
  add(frame: FrameEvidence): [FrameEvidence, FrameEvidence][] {
    const completed: [FrameEvidence, FrameEvidence][] = [];
    while (this.waiting.length > 0 && frame.timestampMs - this.waiting[0]!.timestampMs >= this.gapMs) completed.push([this.waiting.shift()!, frame]);
    this.waiting.push(frame);
    this.faces.push(frame);
    this.pairs.push(...completed);
    return completed;
  }

  /** Every pair, once all frames are in. */
  final(): [FrameEvidence, FrameEvidence][] {
    if (this.pairs.length > 0) return this.pairs;
    return this.faces.slice(1).map((f, i) => [this.faces[i]!, f]);
  }
}

/**
 * One comparison's liveness, on one data path: each sampled frame's evidence arrives here in
 * order; planarity pairs are formed once, as they complete, and fitted on the planarity thread
 * while the video still decodes; the frames that passed the gates wait, best first, for the
 * anti-spoofing models; `decide` runs the checks the policy does not turn off and applies it.
 */
export class LivenessRecorder {
  private readonly frames: FrameEvidence[] = [];
  private readonly pairs: PlanarityPairs;
  /** The residual of each pair fitted so far, in pair order. */
  private readonly fits: { pair: Pair; residual: Promise<number> }[] = [];
  /** The best frames by quality, kept whole for the anti-spoofing models (a handful). */
  private readonly candidates: { timestampMs: number; quality: number; image: RgbImage; box: Box }[] = [];

  constructor(
    private readonly parts: LivenessParts,
    private readonly request: LivenessRequest,
    private readonly thresholds: LivenessThresholds = LIVENESS_THRESHOLDS,
  ) {
    this.pairs = new PlanarityPairs(thresholds.parallaxPairGapMs);
  }

  private on(check: keyof LivenessPolicy): boolean {
    return this.request.policy[check] !== 'off';
  }

  /** A sampled frame, in order; `candidate` when its face passed the quality gates. */
  add(evidence: FrameEvidence, candidate?: { quality: number; image: RgbImage; box: Box }): void {
    this.frames.push(evidence);
    if (evidence.face && this.on('parallax')) for (const pair of this.pairs.add(evidence)) this.fit(pair);
    if (candidate) {
      this.candidates.push({ timestampMs: evidence.timestampMs, ...candidate });
      this.candidates.sort((a, b) => b.quality - a.quality);
      this.candidates.length = Math.min(this.candidates.length, this.thresholds.antiSpoofFrames);
    }
  }

  /** Every frame's evidence so far (the comparison adds each face's similarity once embedded). */
  get evidence(): readonly FrameEvidence[] {
    return this.frames;
  }

  async decide(): Promise<{ report: LivenessReport; rejection?: RejectionReason }> {
    const t = this.thresholds;
    const outcomes: Partial<Record<keyof LivenessPolicy, CheckOutcome>> = {};
    if (this.on('motion')) outcomes.motion = motionCheck(this.frames, t);
    if (this.on('parallax')) outcomes.parallax = parallaxCheck(await this.fitted(), t);
    if (this.on('documentReplay')) outcomes.documentReplay = documentReplayCheck(this.frames, t);
    if (this.on('challenge')) outcomes.challenge = challengeCheck(this.frames, this.request.challenge?.steps ?? [], t);
    if (this.on('antiSpoof')) {
      const reals = await this.parts.antiSpoof.realProbabilities(this.candidates);
      const scores = this.candidates.map((c, i) => ({ timestampMs: c.timestampMs, real: reals[i]!, colourless: isColourless(c.image, c.box) }));
      scores.sort((a, b) => a.timestampMs - b.timestampMs);
      outcomes.antiSpoof = antiSpoofCheck(scores, t);
    }
    return decideLiveness(outcomes, this.request.policy, { antiSpoof: this.parts.antiSpoofModels });
  }

  private fit(pair: Pair): void {
    const residual = this.parts.planarity.fit(pair[0].face!.alignedPatch, pair[1].face!.alignedPatch).then((f) => f.residual);
    residual.catch(() => undefined);
    this.fits.push({ pair, residual });
  }

  /** Every pair with its residual; a clip shorter than the gap gets its consecutive pairs fitted now. */
  private async fitted(): Promise<{ pair: Pair; residual: number }[]> {
    if (this.fits.length === 0) for (const pair of this.pairs.final()) this.fit(pair);
    return Promise.all(this.fits.map(async ({ pair, residual }) => ({ pair, residual: await residual })));
  }
}
