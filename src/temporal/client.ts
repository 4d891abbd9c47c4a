import { Client, Connection, WorkflowIdReusePolicy, WorkflowNotFoundError, isGrpcServiceError } from '@temporalio/client';
import {
  WORKFLOW_TYPE,
  fileUploadedSignal,
  progressQuery,
  workflowIdFor,
  type FaceSimilarityInput,
  type FileRef,
  type SessionProgress,
} from '../contract/face-similarity.js';
import type { SecretKey } from '../webhooks/secret-box.js';
import { dataConverterFor } from './payload-codec.js';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js';

export interface TemporalSettings {
  address: string;
  namespace: string;
  orchestrationTaskQueue: string;
  gpuTaskQueue: string;
  webhookTaskQueue: string;
  uploadTimeoutMs: number;
  /** Keys of the payload codec; none: payloads in clear. */
  payloadKeys?: readonly SecretKey[];
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
    const dataConverter = dataConverterFor(settings.payloadKeys ?? []);
    // Trace context rides in the start and signal headers (a no-op while tracing is off).
    const interceptors = { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
    return new SessionWorkflows(new Client({ connection, namespace: settings.namespace, interceptors, ...(dataConverter ? { dataConverter } : {}) }), connection, settings);
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

  /**
   * Terminates the run if it is open, then deletes the execution with its history, which holds
   * the session's file references and verdict. Both steps tolerate "already done", so a retried
   * erasure finishes the job.
   */
  async erase(sessionId: string, reason: string): Promise<{ terminated: boolean; historyDeleted: boolean }> {
    const workflowId = workflowIdFor(sessionId);
    let terminated = false;
    try {
      await this.client.workflow.getHandle(workflowId).terminate(reason);
      terminated = true;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) && !isGrpcStatus(err, GRPC_FAILED_PRECONDITION)) throw err;
    }
    try {
      await this.connection.workflowService.deleteWorkflowExecution({ namespace: this.settings.namespace, workflowExecution: { workflowId } });
      return { terminated, historyDeleted: true };
    } catch (err) {
      if (isGrpcStatus(err, GRPC_NOT_FOUND)) return { terminated, historyDeleted: false };
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
const GRPC_FAILED_PRECONDITION = 9;

function isGrpcStatus(err: unknown, code: number): boolean {
  return isGrpcServiceError(err) && Number(err.code) === code;
}
