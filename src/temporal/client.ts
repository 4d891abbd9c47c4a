import { Client, Connection, WorkflowIdReusePolicy } from '@temporalio/client';
import {
  WORKFLOW_TYPE,
  fileUploadedSignal,
  progressQuery,
  workflowIdFor,
  type FaceSimilarityInput,
  type FileRef,
  type SessionProgress,
} from '../contract/face-similarity.js';

export interface TemporalSettings {
  address: string;
  namespace: string;
  orchestrationTaskQueue: string;
  gpuTaskQueue: string;
  webhookTaskQueue: string;
  uploadTimeoutMs: number;
}

/** The only way the API and scripts reach FaceSimilarityWorkflow. */
export class SessionWorkflows {
  private constructor(
    readonly client: Client,
    private readonly connection: Connection,
    private readonly settings: TemporalSettings,
  ) {}

  static async connect(settings: TemporalSettings): Promise<SessionWorkflows> {
    const connection = await Connection.connect({ address: settings.address });
    return new SessionWorkflows(new Client({ connection, namespace: settings.namespace }), connection, settings);
  }

  private input(sessionId: string): FaceSimilarityInput {
    return {
      sessionId,
      uploadTimeoutMs: this.settings.uploadTimeoutMs,
      gpuTaskQueue: this.settings.gpuTaskQueue,
      webhookTaskQueue: this.settings.webhookTaskQueue,
    };
  }

  private startOptions(sessionId: string) {
    return {
      workflowId: workflowIdFor(sessionId),
      taskQueue: this.settings.orchestrationTaskQueue,
      args: [this.input(sessionId)] as [FaceSimilarityInput],
      // A finished session's id is never reused: a late upload must not start a second run.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    };
  }

  /** Starts the session's workflow; the memo shows ops which tenant and API request created it. */
  async start(sessionId: string, context: { tenantId: string; requestId: string }): Promise<void> {
    await this.client.workflow.start(WORKFLOW_TYPE, { ...this.startOptions(sessionId), memo: context });
  }

  /** Signals the upload, starting the workflow if it is not running yet (e.g. its start was lost). */
  async fileUploaded(sessionId: string, file: FileRef): Promise<void> {
    await this.client.workflow.signalWithStart(WORKFLOW_TYPE, {
      ...this.startOptions(sessionId),
      signal: fileUploadedSignal,
      signalArgs: [file],
    });
  }

  async progress(sessionId: string): Promise<SessionProgress> {
    return this.client.workflow.getHandle(workflowIdFor(sessionId)).query(progressQuery);
  }

  /** Resolves when the Temporal frontend answers within two seconds. */
  async ping(): Promise<void> {
    await this.connection.withDeadline(Date.now() + 2000, () => this.connection.workflowService.getSystemInfo({}));
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
