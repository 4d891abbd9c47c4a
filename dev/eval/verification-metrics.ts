/**
 * Verification figures from a run's outcomes: a pair is either decided (a similarity score) or
 * refused with a reason. A refused genuine pair is a false reject like a low score is; a refused
 * impostor pair is not a false match. Rates are over all pairs of a kind, refusals included.
 */
export interface PairOutcome {
  genuine: boolean;
  score?: number;
  reason?: string;
}

export interface OperatingPoint {
  /** The FAR asked for. */
  targetFar: number;
  /** The lowest threshold whose FAR is at most the target. */
  threshold: number;
  far: number;
  tar: number;
  /** True when the impostor pairs are too few to observe a rate this small (target < 1/impostors). */
  belowResolution: boolean;
}

export interface VerificationSummary {
  genuinePairs: number;
  impostorPairs: number;
  /** At the threshold evaluated: genuine pairs refused per reason, and those decided below it. */
  falseRejects: Record<string, number>;
  frr: number;
  falseAccepts: number;
  far: number;
  threshold: number;
  operatingPoints: OperatingPoint[];
  genuineScores: number[];
  impostorScores: number[];
  impostorRefusals: Record<string, number>;
  /** The equal error rate over decided and refused pairs, and the threshold it sits at. */
  eer: { rate: number; threshold: number };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** FAR and FRR at threshold t (score >= t matches). */
export function ratesAt(outcomes: readonly PairOutcome[], t: number): { far: number; frr: number } {
  const genuine = outcomes.filter((o) => o.genuine);
  const impostor = outcomes.filter((o) => !o.genuine);
  const accepted = (o: PairOutcome) => o.score !== undefined && o.score >= t;
  return {
    far: impostor.length ? impostor.filter(accepted).length / impostor.length : 0,
    frr: genuine.length ? genuine.filter((o) => !accepted(o)).length / genuine.length : 0,
  };
}

/** Thresholds worth looking at: every observed score, and just above the highest. */
function candidateThresholds(outcomes: readonly PairOutcome[]): number[] {
  const scores = sorted(outcomes.flatMap((o) => (o.score === undefined ? [] : [o.score])));
  return [...new Set([...scores, (scores.at(-1) ?? 1) + 1e-6])];
}

/** The DET curve's points (FAR, FRR), one per candidate threshold, FAR decreasing. */
export function detCurve(outcomes: readonly PairOutcome[]): { threshold: number; far: number; frr: number }[] {
  return candidateThresholds(outcomes).map((threshold) => ({ threshold, ...ratesAt(outcomes, threshold) }));
}

export function summarize(outcomes: readonly PairOutcome[], threshold: number, targets = [0.01, 0.001, 0.0001]): VerificationSummary {
  const genuine = outcomes.filter((o) => o.genuine);
  const impostor = outcomes.filter((o) => !o.genuine);
  const falseRejects: Record<string, number> = {};
  for (const o of genuine) {
    const key = o.reason ?? (o.score !== undefined && o.score < threshold ? 'SCORE_BELOW_THRESHOLD' : undefined);
    if (key) falseRejects[key] = (falseRejects[key] ?? 0) + 1;
  }
  const impostorRefusals: Record<string, number> = {};
  for (const o of impostor) if (o.reason) impostorRefusals[o.reason] = (impostorRefusals[o.reason] ?? 0) + 1;
  const curve = detCurve(outcomes);
  const operatingPoints = targets.map((targetFar) => {
    const point = curve.find((p) => p.far <= targetFar) ?? curve.at(-1)!;
    return { targetFar, threshold: point.threshold, far: point.far, tar: 1 - point.frr, belowResolution: impostor.length * targetFar < 1 };
  });
  const eerPoint = curve.reduce((best, p) => (Math.abs(p.far - p.frr) < Math.abs(best.far - best.frr) ? p : best), curve[0]!);
  const at = ratesAt(outcomes, threshold);
  return {
    genuinePairs: genuine.length,
    impostorPairs: impostor.length,
    falseRejects,
    frr: at.frr,
    falseAccepts: Math.round(at.far * impostor.length),
    far: at.far,
    threshold,
    operatingPoints,
    genuineScores: sorted(genuine.flatMap((o) => (o.score === undefined ? [] : [o.score]))),
    impostorScores: sorted(impostor.flatMap((o) => (o.score === undefined ? [] : [o.score]))),
    impostorRefusals,
    eer: { rate: (eerPoint.far + eerPoint.frr) / 2, threshold: eerPoint.threshold },
  };
}
