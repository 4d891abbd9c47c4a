import type { RejectionReason } from '../contract/face-similarity.js';

/** The media cannot yield a decision; retrying will not change that. */
export class MediaRejectedError extends Error {
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
    this.name = 'MediaRejectedError';
  }
}
