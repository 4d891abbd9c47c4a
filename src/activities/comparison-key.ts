import { createHash } from 'node:crypto';

export interface ComparisonInputs {
  sessionId: string;
  idImageSha256: string;
  selfieVideoSha256: string;
  /** Pipeline fingerprint: code version, model ids and every setting that can change the result. */
  pipeline: string;
}

/**
 * The comparison's key, from business inputs only: the same session, the same two
 * files and the same pipeline give the same key, whatever the attempt, run or replayed signal.
 */
export function comparisonKey(inputs: ComparisonInputs): string {
  const canonical = JSON.stringify(['face-comparison/v1', inputs.sessionId, inputs.idImageSha256, inputs.selfieVideoSha256, inputs.pipeline]);
  return `fc_${createHash('sha256').update(canonical).digest('hex')}`;
}
