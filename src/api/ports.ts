import type { FileRef } from '../contract/face-similarity.js';

/** What the API needs of the workflow service (implemented by temporal/client.ts's SessionWorkflows). */
export interface SessionWorkflowsPort {
  start(sessionId: string, context: { tenantId: string; requestId: string }): Promise<void>;
  fileUploaded(sessionId: string, file: FileRef): Promise<void>;
  /** Stops the session's run if it is still going and deletes its history from Temporal. */
  erase(sessionId: string, reason: string): Promise<{ terminated: boolean; historyDeleted: boolean }>;
}
