import type { LivenessReport, RejectionReason } from '../contract/face-similarity.js';

/** The media cannot yield a decision; retrying will not change that. */
export class MediaRejectedError extends Error {
  constructor(
    readonly reason: RejectionReason,
    message: string,
    /** Why liveness failed, check by check, when it did: the rejection explains itself. */
    readonly liveness?: LivenessReport,
    /**
     * The decoder's own words (stderr, library errors), for our logs only: they can carry server
     * paths and decoder internals, so they never reach a client or a workflow history.
     */
    readonly diagnostic?: string,
  ) {
    super(message);
    this.name = 'MediaRejectedError';
  }
}
