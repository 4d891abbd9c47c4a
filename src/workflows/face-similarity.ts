import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createGpuActivities } from '../activities/gpu-activities.js';
import type { createOrchestrationActivities } from '../activities/orchestration-activities.js';
import type { createWebhookActivities } from '../activities/webhook-activities.js';
import {
  COMPARE_FACES_POLICY,
  FILE_KINDS,
  KYC_STATUS_SEARCH_ATTRIBUTE,
  REVIEW_PATCH,
  SEARCH_ATTRIBUTES_PATCH,
  TENANT_GPU_BUDGET_PATCH,
  TENANT_GPU_BUSY,
  TENANT_GPU_MAX_WAITS,
  TENANT_GPU_WAIT,
  WEBHOOK_PATCH,
  WEBHOOK_POLICY,
  check,
  faceMatchVerdictSchema,
  faceSimilarityInputSchema,
  fileRefSchema,
  fileUploadedSignal,
  progressQuery,
  reviewSubmissionSchema,
  submitReviewUpdate,
  type FaceSimilarityInput,
  type FaceSimilarityOutcome,
  type FileKind,
  type FileRef,
  type ReviewSubmission,
  type SessionStatus,
} from '../contract/face-similarity.js';

const orchestration = proxyActivities<ReturnType<typeof createOrchestrationActivities>>({
  startToCloseTimeout: '30 seconds',
  // Recording the outcome must eventually succeed; a database outage only delays it.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * One KYC session: waits for the ID image and the selfie video (any order, latest upload of a
 * kind wins until the comparison starts), compares them on the GPU queue, records the outcome.
 * Nothing it is handed is trusted: input, signals and the GPU's answer are checked against the
 * contract, and the outcome it records is the one the recording activity verified in Postgres.
 * Where the tenant's review policy wants a person to confirm the machine's decision, it waits for
 * a reviewer's `submitReview` Update (or the policy's timeout) before recording the final one.
 */
export async function faceSimilarityWorkflow(rawInput: FaceSimilarityInput): Promise<FaceSimilarityOutcome> {
  const checkedInput = check(faceSimilarityInputSchema, rawInput);
  if (!checkedInput.ok) {
    log.error('Workflow input refused', { issues: checkedInput.issues });
    throw ApplicationFailure.nonRetryable(`invalid workflow input: ${checkedInput.issues.join('; ')}`, 'INVALID_INPUT');
  }
  if (checkedInput.dropped.length > 0) log.warn('Workflow input: unknown fields dropped', { fields: checkedInput.dropped });
  const input = checkedInput.value;
  const files: Partial<Record<FileKind, FileRef>> = {};
  let status: SessionStatus = 'AWAITING_FILES';
  // Set once recorded; the progress query reads it before then too.
  let outcome: FaceSimilarityOutcome | undefined = undefined;
  const setStatus = (next: SessionStatus) => {
    status = next;
    // Added after v1: runs started before this change replay without the upserts.
    if (patched(SEARCH_ATTRIBUTES_PATCH)) upsertSearchAttributes([{ key: KYC_STATUS_SEARCH_ATTRIBUTE, value: next }]);
  };
  setStatus('AWAITING_FILES');

  setHandler(fileUploadedSignal, (raw) => {
    const checked = check(fileRefSchema, raw);
    if (!checked.ok) return log.warn('Upload signal ignored: not a file reference', { issues: checked.issues });
    if (checked.dropped.length > 0) log.warn('Upload signal: unknown fields dropped', { fields: checked.dropped });
    if (status !== 'AWAITING_FILES') return log.warn('Upload signal ignored: comparison already started', { kind: checked.value.kind, status });
    files[checked.value.kind] = checked.value;
  });
  let review: ReviewSubmission | undefined;
  setHandler(
    submitReviewUpdate,
    async (submission) => {
      review = submission;
      // Answers with the recorded final outcome, so a reviewer sees what their decision made.
      await condition(() => status !== 'NEEDS_REVIEW' && outcome !== undefined);
      return outcome!;
    },
    {
      // Refused before it is written to the history: a decision for a session already decided
      // or not compared yet, a second decision, or a malformed one. Accepted while the machine's
      // decision is being recorded: the reviewer may have seen NEEDS_REVIEW in Postgres first.
      validator: (submission) => {
        if (outcome !== undefined || review !== undefined || status === 'AWAITING_FILES') throw new Error(`the session is not awaiting review (${status})`);
        const checked = check(reviewSubmissionSchema, submission);
        if (!checked.ok) throw new Error(`invalid review: ${checked.issues.join('; ')}`);
      },
    },
  );
  setHandler(progressQuery, () => ({
    status,
    received: FILE_KINDS.filter((kind) => files[kind] !== undefined),
    outcome,
  }));

  const bothReceived = await condition(
    () => files.ID_IMAGE !== undefined && files.SELFIE_VIDEO !== undefined,
    input.uploadTimeoutMs,
  );
  const idImage = files.ID_IMAGE;
  const selfieVideo = files.SELFIE_VIDEO;

  let claimed: FaceSimilarityOutcome;
  if (!bothReceived || idImage === undefined || selfieVideo === undefined) {
    claimed = { status: 'EXPIRED', missing: FILE_KINDS.filter((kind) => files[kind] === undefined) };
  } else {
    setStatus('PROCESSING');
    await orchestration.markSessionProcessing({ sessionId: input.sessionId });
    claimed = await compare(input, idImage, selfieVideo);
  }

  setStatus(claimed.status);
  // Runs recorded before v7 got nothing back: their claim stands as it was recorded then. A claim
  // the recording side could not verify comes back as what it recorded instead (FAILED).
  const reviewable = claimed.status === 'COMPLETED' && patched(REVIEW_PATCH);
  const recorded = (await orchestration.recordSessionOutcome({ sessionId: input.sessionId, outcome: claimed, ...(reviewable ? { reviewable } : {}) })) ?? claimed;
  const reviewed = recorded.status === 'NEEDS_REVIEW';
  if (recorded.status === 'NEEDS_REVIEW') {
    setStatus('NEEDS_REVIEW');
    const submitted = await condition(() => review !== undefined, recorded.waitMs);
    // The recording side takes the decision from the reviewer's row in Postgres (or the tenant's
    // timeout policy), not from this history: an Update forged through Temporal decides nothing.
    outcome = await orchestration.recordReviewedOutcome({ sessionId: input.sessionId, review: submitted ? 'SUBMITTED' : 'TIMED_OUT' });
  } else {
    outcome = recorded;
  }
  if (outcome.status !== claimed.status || reviewed) setStatus(outcome.status);
  // Added in v3: runs started before it replay without the delivery.
  if (patched(WEBHOOK_PATCH)) await notifyTenant(input, outcome);
  return outcome;
}

/** A tenant's endpoint being down must not fail the session: its outcome is already recorded. */
async function notifyTenant(input: FaceSimilarityInput, outcome: FaceSimilarityOutcome): Promise<void> {
  // On their own queue, so a slow endpoint never holds the bookkeeping workers' slots.
  const webhooks = proxyActivities<ReturnType<typeof createWebhookActivities>>({
    ...(input.webhookTaskQueue ? { taskQueue: input.webhookTaskQueue } : {}),
    startToCloseTimeout: WEBHOOK_POLICY.startToCloseTimeout,
    retry: WEBHOOK_POLICY.retry,
  });
  try {
    await webhooks.deliverWebhook({ sessionId: input.sessionId, outcome });
  } catch (err) {
    log.warn('Webhook not delivered', { sessionId: input.sessionId, error: err instanceof Error ? err.message : String(err) });
  }
}

async function compare(input: FaceSimilarityInput, idImage: FileRef, selfieVideo: FileRef): Promise<FaceSimilarityOutcome> {
  const gpu = proxyActivities<ReturnType<typeof createGpuActivities>>({
    taskQueue: input.gpuTaskQueue,
    startToCloseTimeout: COMPARE_FACES_POLICY.startToCloseTimeout,
    heartbeatTimeout: COMPARE_FACES_POLICY.heartbeatTimeout,
    retry: COMPARE_FACES_POLICY.retry,
    // Dispatched in turn per tenant where the server supports fairness; ignored elsewhere.
    ...(input.tenantId ? { priority: { fairnessKey: input.tenantId } } : {}),
  });
  for (let turn = 0; ; turn++) {
    try {
      const answer = check(faceMatchVerdictSchema, await gpu.compareFaces({ sessionId: input.sessionId, idImage, selfieVideo }));
      if (!answer.ok) {
        log.error('Comparison answered with a malformed verdict', { issues: answer.issues });
        return { status: 'FAILED', reason: 'VERDICT_UNVERIFIED', message: 'the comparison answered with a malformed verdict' };
      }
      const { idempotencyKey, ...verdict } = answer.value;
      return { status: 'COMPLETED', result: { ...verdict, comparisonKey: verdict.comparisonKey ?? idempotencyKey ?? '' } };
    } catch (err) {
      const cause = err instanceof ActivityFailure ? err.cause : undefined;
      // The tenant's other comparisons hold its whole GPU budget: wait for a turn, not a retry.
      if (cause instanceof ApplicationFailure && cause.type === TENANT_GPU_BUSY && turn < TENANT_GPU_MAX_WAITS && patched(TENANT_GPU_BUDGET_PATCH)) {
        await sleep(TENANT_GPU_WAIT);
        continue;
      }
      return outcomeOfFailure(err);
    }
  }
}

function outcomeOfFailure(err: unknown): FaceSimilarityOutcome {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  // Waited for a turn for an hour: the tenant's load, not this session's media.
  if (cause instanceof ApplicationFailure && cause.type === TENANT_GPU_BUSY) {
    return { status: 'FAILED', reason: TENANT_GPU_BUSY, message: cause.message };
  }
  if (cause instanceof ApplicationFailure && cause.nonRetryable) {
    return { status: 'REJECTED', reason: cause.type ?? 'REJECTED', message: cause.message };
  }
  // Retries exhausted on an infrastructure fault: a recorded outcome ops can act on, not a crash.
  return { status: 'FAILED', reason: 'COMPARISON_FAILED', message: cause?.message ?? String(err) };
}
