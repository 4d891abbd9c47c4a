/**
 * The one contract of FaceSimilarityWorkflow: its name, id scheme, signals, queries, inputs and
 * results. The API, both workers, the workflow and the tests import it. Everything here is pure
 * (it is bundled into the deterministic workflow sandbox) and carries references, never bytes or PII.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const WORKFLOW_TYPE = 'faceSimilarityWorkflow';

/**
 * Names recorded histories (test/histories/<scenario>_<version>.json). Bump it with every change
 * that alters the workflow's commands (guarded by `patched`), then record the new histories
 * next to the old ones: both generations must keep replaying.
 */
export const WORKFLOW_HISTORY_VERSION = 'v6';

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

export interface FaceSimilarityInput {
  sessionId: string;
  /** How long to wait for both files, from the workflow's start. */
  uploadTimeoutMs: number;
  /** Task queue served by the GPU workers; workflows cannot read configuration themselves. */
  gpuTaskQueue: string;
  /** Task queue of webhook deliveries; absent in runs started before it existed (they use the workflow's own). */
  webhookTaskQueue?: string;
}

/** DELETED is the API's, never the workflow's: the session was erased on request (its tombstone). */
export const SESSION_STATUSES = ['AWAITING_FILES', 'PROCESSING', 'COMPLETED', 'REJECTED', 'EXPIRED', 'FAILED', 'DELETED'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const TERMINAL_STATUSES: readonly SessionStatus[] = ['COMPLETED', 'REJECTED', 'EXPIRED', 'FAILED', 'DELETED'];

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

/** One examined video frame: no pixels, no embedding. */
export interface FrameReport {
  timestampMs: number;
  faceFound: boolean;
  /** Detection score x size x frontalness, 0..1; null without a face. */
  quality: number | null;
  /** Cosine similarity to the ID face; null when the frame was not used. */
  similarity: number | null;
  /** The quality gate that excluded the frame, if one did. */
  excludedBy: GateFailure | null;
  /** Whether the frame is among those the similarity was averaged over. */
  used: boolean;
}

/** The liveness checks, each with its own mode per tenant. */
export const LIVENESS_CHECKS = ['motion', 'parallax', 'antiSpoof', 'documentReplay', 'challenge'] as const;
export type LivenessCheckName = (typeof LIVENESS_CHECKS)[number];
/** `enforce` rejects on failure, `report` computes and returns it only, `off` skips the check. */
export const LIVENESS_MODES = ['enforce', 'report', 'off'] as const;
export type LivenessMode = (typeof LIVENESS_MODES)[number];
export type LivenessPolicy = Record<LivenessCheckName, LivenessMode>;
/** Every check computed and returned, none rejecting: for trials of a new integration. */
export const LIVENESS_REPORT_ONLY: LivenessPolicy = { motion: 'report', parallax: 'report', antiSpoof: 'report', documentReplay: 'report', challenge: 'report' };

/** The reason a session is rejected with when an enforced check fails. */
export const LIVENESS_REJECTIONS: Record<LivenessCheckName, RejectionReason> = {
  motion: 'LIVENESS_NO_MOTION',
  parallax: 'LIVENESS_PLANAR_FACE',
  antiSpoof: 'LIVENESS_PRESENTATION_ATTACK',
  documentReplay: 'LIVENESS_DOCUMENT_REPLAY',
  challenge: 'LIVENESS_CHALLENGE_FAILED',
};

/** What a failure of each check means, for API users (`/docs`) and operators. */
export const LIVENESS_FAILURE_MEANING: Record<LivenessCheckName, string> = {
  motion: 'the face does not change from frame to frame (a still photo looped into a video)',
  parallax: 'one homography explains how the whole face changes between frames (a print, screen or card moved in front of the camera)',
  antiSpoof: 'the anti-spoofing models see a print, a screen or a recaptured picture',
  documentReplay: 'the selfie face is the ID portrait itself on nearly every frame',
  challenge: "the session's requested head turns were not seen in order",
};

export const CHALLENGE_STEPS = ['TURN_LEFT', 'TURN_RIGHT'] as const;
/** A head turn to the subject's own left or right. */
export type ChallengeStep = (typeof CHALLENGE_STEPS)[number];
export interface LivenessChallenge {
  steps: ChallengeStep[];
}

/** SKIPPED when the mode is `off`; INCONCLUSIVE when the video gave the check nothing to judge. */
export const CHECK_VERDICTS = ['PASS', 'FAIL', 'INCONCLUSIVE', 'SKIPPED'] as const;
export const LIVENESS_VERDICTS = ['PASS', 'FAIL'] as const;

export interface LivenessCheckReport {
  check: LivenessCheckName;
  mode: LivenessMode;
  verdict: (typeof CHECK_VERDICTS)[number];
  score: number | null;
  threshold: number;
  /** Model ids (and checksums) the score came from, for model-based checks. */
  model?: string;
  /** Timestamps (ms) of the frames the check used. */
  framesUsed: number[];
  detail: string;
}

export interface LivenessReport {
  /** FAIL when an enforced check failed; report-mode failures are visible per check only. */
  verdict: (typeof LIVENESS_VERDICTS)[number];
  /** The first enforced check that failed. */
  failedCheck: LivenessCheckName | null;
  checks: LivenessCheckReport[];
}

/**
 * A comparison's full result, as Postgres stores it and the API returns it: the one definition
 * of it. Workflow histories carry only its verdict (below), never the per-frame details.
 */
export interface FaceMatchResult {
  /** The comparison's key from its business inputs (ComparisonStore's unique key). */
  comparisonKey: string;
  similarity: number;
  match: boolean;
  threshold: number;
  detectorModel: string;
  embedderModel: string;
  executionProvider: string;
  framesExamined: number;
  framesWithFace: number;
  frames: FrameReport[];
  /** Clockwise degrees the frames were turned so the face stood upright (a phone held upside down). */
  videoRotation?: number;
  /** Absent on results stored before liveness existed. */
  liveness?: LivenessReport;
}

/**
 * What a history holds of a completed comparison: the decision and the key of the full result.
 * Histories recorded before v4 hold the whole FaceMatchResult here; only these fields are read.
 */
export type FaceMatchVerdict = Pick<FaceMatchResult, 'comparisonKey' | 'similarity' | 'match' | 'threshold'> & {
  livenessVerdict?: LivenessReport['verdict'];
};

export function verdictOf(result: FaceMatchResult): FaceMatchVerdict {
  return {
    comparisonKey: result.comparisonKey,
    similarity: result.similarity,
    match: result.match,
    threshold: result.threshold,
    ...(result.liveness ? { livenessVerdict: result.liveness.verdict } : {}),
  };
}

/** The comparison key of a verdict, also from histories recorded before v4 (which called it idempotencyKey). */
export function comparisonKeyOf(verdict: FaceMatchVerdict): string {
  return verdict.comparisonKey ?? (verdict as { idempotencyKey?: string }).idempotencyKey ?? '';
}

export type FaceSimilarityOutcome =
  | { status: 'COMPLETED'; result: FaceMatchVerdict }
  /** `reason` is a RejectionReason, kept a string so older histories with retired codes still decode. */
  | { status: 'REJECTED'; reason: string; message: string }
  | { status: 'EXPIRED'; missing: FileKind[] }
  | { status: 'FAILED'; reason: string; message: string };

export interface SessionProgress {
  status: SessionStatus;
  received: FileKind[];
  outcome?: FaceSimilarityOutcome;
}

export interface CompareFacesInput {
  sessionId: string;
  idImage: FileRef;
  selfieVideo: FileRef;
}

export interface RecordOutcomeInput {
  sessionId: string;
  outcome: FaceSimilarityOutcome;
}

/** Lets ops list sessions by status in Temporal UI: `KycStatus = "REJECTED"`. */
export const KYC_STATUS_SEARCH_ATTRIBUTE = defineSearchAttributeKey('KycStatus', SearchAttributeType.KEYWORD);
/** Custom search attributes the namespace must have; registered at worker start and by the dev server. */
export const SEARCH_ATTRIBUTES = { KycStatus: 'Keyword' } as const;
/** Guards the search-attribute upserts added after v1, so v1 histories still replay. */
export const SEARCH_ATTRIBUTES_PATCH = 'kyc-status-search-attribute';
/** Guards the completion webhook added after v2, so v1 and v2 histories still replay. */
export const WEBHOOK_PATCH = 'completion-webhook';

/** Webhook delivery: 12 attempts, about 27 minutes of retries with backoff (1 s doubling to 10 min), before giving up. */
export const WEBHOOK_POLICY = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 12 },
} as const;

export const fileUploadedSignal = defineSignal<[FileRef]>('fileUploaded');
export const progressQuery = defineQuery<SessionProgress>('progress');

export function workflowIdFor(sessionId: string): string {
  return `kyc-session-${sessionId}`;
}

/**
 * The GPU activity's answer when the session's tenant already uses its whole GPU budget
 * (TENANT_GPU_CONCURRENCY): the workflow waits TENANT_GPU_WAIT and asks again, for at most
 * TENANT_GPU_MAX_WAITS turns, without spending the comparison's retry attempts.
 */
export const TENANT_GPU_BUSY = 'TENANT_GPU_BUSY';
export const TENANT_GPU_WAIT = '10 seconds';
export const TENANT_GPU_MAX_WAITS = 360;
/** Guards the wait-for-a-turn loop added in v5. */
export const TENANT_GPU_BUDGET_PATCH = 'tenant-gpu-budget';

/** Timeouts and retries of the GPU comparison, declared once for the workflow and the docs. */
export const COMPARE_FACES_POLICY = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { maximumAttempts: 3, initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
} as const;

/**
 * Retention: a Temporal Schedule (RETENTION_SCHEDULE_ID, visible under Schedules in Temporal UI)
 * starts RETENTION_WORKFLOW_TYPE every RETENTION_SWEEP_INTERVAL; its one activity deletes what
 * has outlived its retention period and reports what it deleted (the run's result in the UI).
 */
export const RETENTION_WORKFLOW_TYPE = 'retentionSweepWorkflow';
export const RETENTION_SCHEDULE_ID = 'kyc-retention';

export interface PurgeReport {
  /** Sessions whose media were deleted, and the blobs that went with them. */
  mediaSessions: number;
  blobs: number;
  /** Comparisons whose per-frame details were deleted. */
  frameDetails: number;
  /** Decision records (sessions with their comparisons) deleted at the end of their retention. */
  decisions: number;
}
