import type { LivenessReport, RejectionReason } from '../contract/face-similarity.js';

/** The media cannot yield a decision; retrying will not change that. */
export class MediaRejectedError extends Error {
  constructor(
    readonly reason: RejectionReason,
    message: string,
    /** Why liveness failed, check by check, when it did: the rejection explains itself. */
    readonly liveness?: LivenessReport,
  ) {
    super(message);
    this.name = 'MediaRejectedError';
  }
}
