import type { FaceSimilarityOutcome, FileRef, ReviewSubmission } from '../contract/face-similarity.js';

/** What the sessions service needs of the workflow service (temporal/client.ts's SessionWorkflows). */
export interface SessionWorkflowsPort {
  start(sessionId: string, context: { tenantId: string; requestId: string }): Promise<void>;
  fileUploaded(sessionId: string, file: FileRef, context: { tenantId: string }): Promise<void>;
  /** Stops every run of the session's workflow that is still going and deletes all of them, resets included. */
  erase(sessionId: string): Promise<{ terminated: boolean; runsDeleted: number }>;
  /** Delivers a reviewer's decision under `updateId` (applied once) and answers with the recorded outcome; null once the run has ended. */
  submitReview(sessionId: string, updateId: string, submission: ReviewSubmission): Promise<FaceSimilarityOutcome | null>;
}
