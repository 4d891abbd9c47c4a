/** The files of a session, by reference, and the reasons a comparison refuses its media. */

export const FILE_KINDS = ['ID_IMAGE', 'SELFIE_VIDEO'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

/** A stored upload, by reference: the history never sees the file's bytes or name. */
export interface FileRef {
  fileId: string;
  kind: FileKind;
  storageKey: string;
  sha256: string;
  bytes: number;
  mediaType: string;
  /** The API request that uploaded it, to follow one upload from the app's logs to this history. */
  requestId?: string;
}

/** Machine-readable reasons a comparison rejects its media (non-retryable). */
export const REJECTION_REASONS = [
  'NO_FACE_ON_DOCUMENT',
  'MULTIPLE_FACES_ON_DOCUMENT',
  'FACE_TOO_SMALL_ON_DOCUMENT',
  'DOCUMENT_TOO_BLURRY',
  'DOCUMENT_TOO_DARK',
  'DOCUMENT_TOO_BRIGHT',
  'NO_FACE_IN_VIDEO',
  'FACE_TOO_SMALL_IN_VIDEO',
  'VIDEO_TOO_BLURRY',
  'VIDEO_TOO_DARK',
  'VIDEO_TOO_BRIGHT',
  'VIDEO_TOO_LONG',
  'VIDEO_TOO_LARGE',
  'IMAGE_TOO_LARGE',
  'UNREADABLE_IMAGE',
  'UNREADABLE_VIDEO',
  // ffprobe or ffmpeg ran past FFMPEG_TIMEOUT on bounded input: a file built to stall decoders.
  'DECODE_TIMEOUT',
  'LIVENESS_NO_MOTION',
  'LIVENESS_PLANAR_FACE',
  'LIVENESS_PRESENTATION_ATTACK',
  'LIVENESS_DOCUMENT_REPLAY',
  'LIVENESS_CHALLENGE_FAILED',
  // Integrity: the history named a file this session never uploaded, or bytes that changed.
  'FILE_NOT_IN_SESSION',
  'FILE_DIGEST_MISMATCH',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** The quality gates a face can fail, in the order they are checked. */
export const GATE_FAILURES = ['FACE_TOO_SMALL', 'TOO_BLURRY', 'TOO_DARK', 'TOO_BRIGHT'] as const;
export type GateFailure = (typeof GATE_FAILURES)[number];
