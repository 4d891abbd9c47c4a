import { Client, WorkflowIdReusePolicy, WorkflowNotFoundError, isGrpcServiceError, type Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js';
import {
  WORKFLOW_TYPE,
  fileUploadedSignal,
  progressQuery,
  submitReviewUpdate,
  workflowIdFor,
  type FaceSimilarityOutcome,
  type ReviewSubmission,
  type FaceSimilarityInput,
  type FileRef,
  type SessionProgress,
} from '../contract/face-similarity.js';
import type { Keyring } from '../crypto/keyring.js';
import { connectClient, type TemporalEndpoint } from './connection.js';
import { dataConverterFor } from './payload-codec.js';

export interface TemporalSettings extends TemporalEndpoint {
  namespace: string;
  orchestrationTaskQueue: string;
  gpuTaskQueue: string;
  webhookTaskQueue: string;
  uploadTimeoutMs: number;
  /** Keys of the payload codec; an empty keyring: payloads in clear (development only). */
  payloadKeys: Keyring;
  acceptPlaintextPayloads?: boolean;
  /** Counts payloads refused for being in clear. */
  onRefusedPayload?: () => void;
}

/** The only way the API and scripts reach FaceSimilarityWorkflow. */
export class SessionWorkflows {
  private constructor(
    readonly client: Client,
    readonly connection: Connection,
    private readonly settings: TemporalSettings,
  ) {}

  static async connect(settings: TemporalSettings): Promise<SessionWorkflows> {
    const connection = await connectClient(settings);
    const dataConverter = dataConverterFor(settings.payloadKeys, { acceptPlaintext: settings.acceptPlaintextPayloads, onRefused: settings.onRefusedPayload });
    // Trace context rides in the start and signal headers (a no-op while tracing is off).
    const interceptors = { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
    return new SessionWorkflows(new Client({ connection, namespace: settings.namespace, interceptors, ...(dataConverter ? { dataConverter } : {}) }), connection, settings);
  }

  private startOptions(sessionId: string, tenantId: string) {
    const input: FaceSimilarityInput = {
      sessionId,
      uploadTimeoutMs: this.settings.uploadTimeoutMs,
      gpuTaskQueue: this.settings.gpuTaskQueue,
      webhookTaskQueue: this.settings.webhookTaskQueue,
      tenantId,
    };
    return {
      workflowId: workflowIdFor(sessionId),
      taskQueue: this.settings.orchestrationTaskQueue,
      args: [input] as [FaceSimilarityInput],
      // A finished session's id is never reused: a late upload must not start a second run.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    };
  }

  /** Starts the session's workflow; the memo shows ops which tenant and API request created it. */
  async start(sessionId: string, context: { tenantId: string; requestId: string }): Promise<void> {
    await this.client.workflow.start(WORKFLOW_TYPE, { ...this.startOptions(sessionId, context.tenantId), memo: context });
  }

  /** Signals the upload, starting the workflow if it is not running yet (e.g. its start was lost). */
  async fileUploaded(sessionId: string, file: FileRef, context: { tenantId: string }): Promise<void> {
    await this.client.workflow.signalWithStart(WORKFLOW_TYPE, { ...this.startOptions(sessionId, context.tenantId), signal: fileUploadedSignal, signalArgs: [file] });
  }

  /**
   * Deletes every run of the session's workflow id with its history (which holds the session's
   * file references and verdict): the current one (terminated first by the server if it is still
   * going), and every earlier one (resets leave those). Every step tolerates "already done", so a
   * retried erasure finishes the job. No separate terminate: on Temporal 1.29 a delete that
   * follows a terminate closely is lost (the run stays, TERMINATED), a delete of a running run is not.
   */
  async erase(sessionId: string): Promise<{ terminated: boolean; runsDeleted: number }> {
    const workflowId = workflowIdFor(sessionId);
    const current = await this.client.workflow
      .getHandle(workflowId)
      .describe()
      .catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      });
    const earlier = new Set<string>();
    for await (const run of this.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) if (run.runId !== current?.runId) earlier.add(run.runId);
    const remove = async (runId?: string) => {
      try {
        await this.connection.workflowService.deleteWorkflowExecution({ namespace: this.settings.namespace, workflowExecution: { workflowId, ...(runId ? { runId } : {}) } });
        return true;
      } catch (err) {
        if (isGrpcStatus(err, GRPC_NOT_FOUND)) return false;
        throw err;
      }
    };
    // The current run by id alone: one started a moment ago may not be listed yet.
    let runsDeleted = (await remove()) ? 1 : 0;
    for (const runId of earlier) if (await remove(runId)) runsDeleted++;
    return { terminated: current?.status.name === 'RUNNING', runsDeleted };
  }

  /** Whether the session's workflow has a run still going (retention closes sessions whose run ended unrecorded). */
  async isOpen(sessionId: string): Promise<boolean> {
    try {
      const { status } = await this.client.workflow.getHandle(workflowIdFor(sessionId)).describe();
      return status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  /**
   * Delivers a reviewer's decision and waits for the outcome it made. `updateId` is the request's
   * Idempotency-Key: Temporal applies an Update id once per run, so a retry or a double click
   * attaches to the first one and gets its answer. Null when the run has ended (nothing to deliver to).
   */
  async submitReview(sessionId: string, updateId: string, submission: ReviewSubmission): Promise<FaceSimilarityOutcome | null> {
    try {
      return await this.client.workflow.getHandle(workflowIdFor(sessionId)).executeUpdate(submitReviewUpdate, { args: [submission], updateId });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
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

/** gRPC status codes (grpc/status.h), as the Temporal frontend answers them. */
const GRPC_NOT_FOUND = 5;

function isGrpcStatus(err: unknown, code: number): boolean {
  return isGrpcServiceError(err) && Number(err.code) === code;
}
