/**
 * The bounds a tenant's own similarity threshold must keep (docs/evaluation.md). Below the lower
 * one, impostor pairs of the evaluation sets match (the highest scored 0.399: two different
 * women of similar looks, one from a 250-px portrait); above the upper one, a fifth of the
 * genuine pairs would be refused (their 5th percentiles run 0.53–0.62, medians 0.72–0.77).
 */
export const MATCH_THRESHOLD_BOUNDS = { min: 0.4, max: 0.7 } as const;

/** The threshold, or why it is refused. */
export function checkMatchThreshold(value: number): string | undefined {
  if (!Number.isFinite(value)) return 'the threshold must be a number';
  if (value < MATCH_THRESHOLD_BOUNDS.min || value > MATCH_THRESHOLD_BOUNDS.max) {
    return `the threshold must be within ${MATCH_THRESHOLD_BOUNDS.min}..${MATCH_THRESHOLD_BOUNDS.max} (below, impostors start to match; above, genuine customers are refused)`;
  }
  return undefined;
}
