import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { FileKind, FileRef } from './media.js';
import type { FaceMatchVerdict } from './result.js';
import type { ReviewSubmission } from './review.js';

/**
 * FaceSimilarityWorkflow's contract: its name, id scheme, signals, query, inputs and outcomes.
 * Pure (it is bundled into the deterministic workflow sandbox); it carries references, never
 * bytes or PII.
 */
export const WORKFLOW_TYPE = 'faceSimilarityWorkflow';

/**
 * Names recorded histories (test/histories/<scenario>_<version>.json). Bump it with every change
 * that alters the workflow's commands (guarded by `patched`) or payloads, then record the new
 * histories next to the old ones: every generation must keep replaying.
 */
export const WORKFLOW_HISTORY_VERSION = 'v8';

export interface FaceSimilarityInput {
  sessionId: string;
  /** How long to wait for both files, from the workflow's start. */
  uploadTimeoutMs: number;
  /** Task queue served by the GPU workers; workflows cannot read configuration themselves. */
  gpuTaskQueue: string;
  /** Task queue of webhook deliveries; absent in runs started before it existed (they use the workflow's own). */
  webhookTaskQueue?: string;
  /**
   * The session's tenant: the fairness key of its GPU task, so one tenant's backlog cannot hold
   * every GPU slot. A scheduling hint only (nothing is decided by it); absent in runs before v7.
   */
  tenantId?: string;
}

/**
 * DELETED is the API's, never the workflow's: the session was erased on request (its tombstone).
 * NEEDS_REVIEW: the machine has decided and the tenant's review policy wants a person to confirm.
 */
export const SESSION_STATUSES = ['AWAITING_FILES', 'PROCESSING', 'NEEDS_REVIEW', 'COMPLETED', 'REJECTED', 'EXPIRED', 'FAILED', 'DELETED'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const TERMINAL_STATUSES: readonly SessionStatus[] = ['COMPLETED', 'REJECTED', 'EXPIRED', 'FAILED', 'DELETED'];

export type FaceSimilarityOutcome =
  | { status: 'COMPLETED'; result: FaceMatchVerdict }
  /** `reason` is a RejectionReason, kept a string so older histories with retired codes still decode. */
  | { status: 'REJECTED'; reason: string; message: string }
  | { status: 'EXPIRED'; missing: FileKind[] }
  | { status: 'FAILED'; reason: string; message: string };

/**
 * FAILED reasons the service records itself. VERDICT_UNVERIFIED: the workflow claimed a
 * completed comparison that no signed row of the session's own files backs (a forged activity
 * result); ABANDONED: the run ended (terminated by an operator) without recording an outcome.
 */
export const FAILURE_REASONS = ['COMPARISON_FAILED', 'TENANT_GPU_BUSY', 'VERDICT_UNVERIFIED', 'ABANDONED', 'INVALID_INPUT'] as const;

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
  /** v8 on: the workflow can wait for a reviewer, so the tenant's review policy applies. */
  reviewable?: boolean;
}

/** After a wait for review (v8 on): whether a reviewer's Update arrived or the wait ran out. */
export interface RecordReviewedInput {
  sessionId: string;
  review: 'SUBMITTED' | 'TIMED_OUT';
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
/** The reviewer's decision (contract/review.ts), through a Workflow Update whose id is the request's Idempotency-Key. */
export const submitReviewUpdate = defineUpdate<FaceSimilarityOutcome, [ReviewSubmission]>('submitReview');

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
