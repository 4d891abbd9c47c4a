// The workflow's branches on Temporal's time-skipping test server, with its activities replaced:
// the one-hour wait, retries running out, a late upload, a webhook that never gets through.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createGpuActivities } from '../../src/activities/gpu-activities.js';
import type { createOrchestrationActivities } from '../../src/activities/orchestration-activities.js';
import type { createWebhookActivities } from '../../src/activities/webhook-activities.js';
import { ApplicationFailure } from '@temporalio/common';
import {
  COMPARE_FACES_POLICY,
  TENANT_GPU_BUSY,
  TENANT_GPU_MAX_WAITS,
  WEBHOOK_POLICY,
  WORKFLOW_TYPE,
  fileUploadedSignal,
  progressQuery,
  workflowIdFor,
  type CompareFacesInput,
  type FaceMatchVerdict,
  type FaceSimilarityOutcome,
  type FileKind,
  type FileRef,
  type RecordOutcomeInput,
  type RecordReviewedInput,
  type ReviewRequired,
  submitReviewUpdate,
} from '../../src/contract/face-similarity.js';
import { REPO_ROOT } from '../../src/runtime/app-root.js';
import { writeWorkflowBundle } from '../../src/runtime/workflow-bundle.js';
import { installQuietTemporalRuntime } from '../../dev/temporal-runtime.js';

type Activities = ReturnType<typeof createOrchestrationActivities> &
  ReturnType<typeof createWebhookActivities> &
  ReturnType<typeof createGpuActivities>;

const ONE_HOUR_MS = 60 * 60 * 1000;
const ORCHESTRATION_QUEUE = 'workflow-test-orchestration';
const GPU_QUEUE = 'workflow-test-gpu';

let env: TestWorkflowEnvironment;
let tmp: string;
let bundlePath: string;

beforeAll(async () => {
  installQuietTemporalRuntime();
  tmp = await mkdtemp(path.join(tmpdir(), 'kyc-workflow-'));
  [env, bundlePath] = await Promise.all([
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: path.join(REPO_ROOT, '.tools', 'bin', 'temporal-test-server') } },
    }),
    writeWorkflowBundle(path.join(tmp, 'workflow-bundle.js')),
  ]);
  // The workflow upserts KycStatus; the test server knows only the attributes it is told of.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: { KycStatus: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD },
  });
}, 180_000);

afterAll(async () => {
  await env?.teardown();
  await rm(tmp, { recursive: true, force: true });
});

const ref = (kind: FileKind, n = 1): FileRef => ({
  fileId: `00000000-0000-4000-8000-00000000000${n}`,
  kind,
  storageKey: `sessions/s/${kind}/${String(n).repeat(64)}`,
  sha256: String(n).repeat(64),
  bytes: 1000 * n,
  mediaType: kind === 'ID_IMAGE' ? 'image/jpeg' : 'video/mp4',
});
const verdict: FaceMatchVerdict = { comparisonKey: 'fc_test', similarity: 0.8, match: true, threshold: 0.4, livenessVerdict: 'PASS' };

/** Records what the workflow asked of its activities; each test overrides what it needs. */
function fakeActivities(overrides: Partial<Activities> = {}) {
  const calls = { compare: [] as CompareFacesInput[], outcomes: [] as RecordOutcomeInput[], reviewed: [] as RecordReviewedInput[], webhooks: 0, processing: 0 };
  const activities: Activities = {
    markSessionProcessing: async () => {
      calls.processing++;
    },
    recordSessionOutcome: async (input) => {
      calls.outcomes.push(input);
      return input.outcome;
    },
    recordReviewedOutcome: async (input) => {
      calls.reviewed.push(input);
      return { status: 'FAILED', reason: 'VERDICT_UNVERIFIED', message: 'no review expected in this test' };
    },
    deliverWebhook: async () => {
      calls.webhooks++;
      return { delivered: true, status: 204 };
    },
    compareFaces: async (input) => {
      calls.compare.push(input);
      return verdict;
    },
    ...overrides,
  };
  return { activities, calls };
}

/** Runs one session's workflow on both task queues until `drive` has returned its result. */
async function runSession<T>(activities: Activities, drive: (handle: Awaited<ReturnType<typeof start>>) => Promise<T>): Promise<T> {
  const workers = await Promise.all([
    Worker.create({ connection: env.nativeConnection, taskQueue: ORCHESTRATION_QUEUE, workflowBundle: { codePath: bundlePath }, activities }),
    Worker.create({ connection: env.nativeConnection, taskQueue: GPU_QUEUE, activities: { compareFaces: activities.compareFaces } }),
  ]);
  const [orchestration, gpu] = workers;
  return orchestration.runUntil(gpu.runUntil(drive(await start())));
}

let sessions = 0;
async function start() {
  const sessionId = `00000000-0000-4000-9000-${String(++sessions).padStart(12, '0')}`;
  return env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: ORCHESTRATION_QUEUE,
    workflowId: workflowIdFor(sessionId),
    args: [{ sessionId, uploadTimeoutMs: ONE_HOUR_MS, gpuTaskQueue: GPU_QUEUE }],
  });
}

describe('FaceSimilarityWorkflow', () => {
  it('compares once both files are in and records the verdict, not the per-frame details', async () => {
    const { activities, calls } = fakeActivities();
    const outcome = await runSession(activities, async (handle) => {
      await handle.signal(fileUploadedSignal, ref('SELFIE_VIDEO'));
      await handle.signal(fileUploadedSignal, ref('ID_IMAGE'));
      return (await handle.result()) as FaceSimilarityOutcome;
    });
    expect(outcome).toEqual({ status: 'COMPLETED', result: verdict });
    expect(calls.compare).toHaveLength(1);
    expect(calls.processing).toBe(1);
    // v8 on, a completed comparison may go to review; the recorder decides from the tenant's policy.
    expect(calls.outcomes).toEqual([{ sessionId: expect.any(String), outcome, reviewable: true }]);
  });

  it('expires after the one-hour wait with only one file, naming the missing one', async () => {
    const { activities, calls } = fakeActivities();
    const started = await env.currentTimeMs();
    const outcome = await runSession(activities, async (handle) => {
      await handle.signal(fileUploadedSignal, ref('ID_IMAGE'));
      return (await handle.result()) as FaceSimilarityOutcome;
    });
    expect(outcome).toEqual({ status: 'EXPIRED', missing: ['SELFIE_VIDEO'] });
    expect((await env.currentTimeMs()) - started, 'the test server skipped the hour').toBeGreaterThanOrEqual(ONE_HOUR_MS);
    expect(calls.compare).toHaveLength(0);
    expect(calls.outcomes.map((o) => o.outcome.status)).toEqual(['EXPIRED']);
  });

  it('records FAILED, with a reason ops can act on, once the comparison retries run out', async () => {
    const { activities, calls } = fakeActivities({
      compareFaces: async (input) => {
        calls.compare.push(input);
        throw new Error('CUDA out of memory');
      },
    });
    const outcome = await runSession(activities, async (handle) => {
      await handle.signal(fileUploadedSignal, ref('ID_IMAGE'));
      await handle.signal(fileUploadedSignal, ref('SELFIE_VIDEO'));
      return (await handle.result()) as FaceSimilarityOutcome;
    });
    expect(outcome).toEqual({ status: 'FAILED', reason: 'COMPARISON_FAILED', message: 'CUDA out of memory' });
    expect(calls.compare).toHaveLength(COMPARE_FACES_POLICY.retry.maximumAttempts);
    expect(calls.outcomes.map((o) => o.outcome.status)).toEqual(['FAILED']);
  });

  it('ignores an upload that arrives after the comparison started', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const comparing = new Promise<void>((resolve) => (started = resolve));
    const { activities, calls } = fakeActivities({
      compareFaces: async (input) => {
        calls.compare.push(input);
        started();
        await released;
        return verdict;
      },
    });
    const { outcome, during } = await runSession(activities, async (handle) => {
      await handle.signal(fileUploadedSignal, ref('ID_IMAGE'));
      await handle.signal(fileUploadedSignal, ref('SELFIE_VIDEO', 1));
      await comparing;
      await handle.signal(fileUploadedSignal, ref('SELFIE_VIDEO', 2));
      const progress = await handle.query(progressQuery);
      release();
      return { outcome: (await handle.result()) as FaceSimilarityOutcome, during: progress };
    });
    expect(during.status).toBe('PROCESSING');
    expect(outcome.status).toBe('COMPLETED');
    expect(calls.compare).toHaveLength(1);
    expect(calls.compare[0]?.selfieVideo.sha256).toBe(ref('SELFIE_VIDEO', 1).sha256);
  });

  it('waits for a turn while the tenant uses its whole GPU budget, without spending retry attempts', async () => {
    let busyTurns = 3;
    const { activities, calls } = fakeActivities({
      compareFaces: async (input) => {
        calls.compare.push(input);
        if (busyTurns-- > 0) throw ApplicationFailure.create({ message: 'busy', type: TENANT_GPU_BUSY, nonRetryable: true });
        return verdict;
      },
    });
    const started = await env.currentTimeMs();
    const outcome = await runSession(activities, async (handle) => {
      await handle.signal(fileUploadedSignal, ref('ID_IMAGE'));
      await handle.signal(fileUploadedSignal, ref('SELFIE_VIDEO'));
      return (await handle.result()) as FaceSimilarityOutcome;
    });
    expect(outcome).toEqual({ status: 'COMPLETED', result: verdict });
    // Four calls (three turns waited): more than COMPARE_FACES_POLICY's 3 attempts allow for faults.
    expect(calls.compare).toHaveLength(4);
    expect((await env.currentTimeMs()) - started).toBeGreaterThanOrEqual(3 * 10_000);
  });

  it('records REJECTED with the reason the comparison gave when the media are refused', async () => {
    const { activities, calls } = fakeActivities({
      compareFaces: async (input) => {
        calls.compare.push(input);
        throw ApplicationFailure.create({ message: 'no face found on the ID image', type: 'NO_FACE_ON_DOCUMENT', nonRetryable: true });
      },
    });
    const outcome = await runSession(activities, async (handle) => {
      await handle.signal(fileUploadedSignal, ref('ID_IMAGE'));
      await handle.signal(fileUploadedSignal, ref('SELFIE_VIDEO'));
      return (await handle.result()) as FaceSimilarityOutcome;
    });
    expect(outcome).toEqual({ status: 'REJECTED', reason: 'NO_FACE_ON_DOCUMENT', message: 'no face found on the ID image' });
    // A rejection is not retried: one call.
    expect(calls.compare).toHaveLength(1);
    expect(calls.webhooks).toBe(1);
  });

  it("records FAILED TENANT_GPU_BUSY once the tenant's budget stayed full for every allowed turn", async () => {
    const { activities, calls } = fakeActivities({
      compareFaces: async (input) => {
        calls.compare.push(input);
        throw ApplicationFailure.create({ message: 'the tenant already runs 4 comparisons', type: TENANT_GPU_BUSY, nonRetryable: true });
      },
    });
    const outcome = await runSession(activities, async (handle) => {
      await handle.signal(fileUploadedSignal, ref('ID_IMAGE'));
      await handle.signal(fileUploadedSignal, ref('SELFIE_VIDEO'));
      return (await handle.result()) as FaceSimilarityOutcome;
    });
    expect(outcome).toEqual({ status: 'FAILED', reason: TENANT_GPU_BUSY, message: 'the tenant already runs 4 comparisons' });
    expect(calls.compare).toHaveLength(TENANT_GPU_MAX_WAITS + 1);
  }, 120_000);

  it('records what the recorder verified, not what it claimed: a forged match comes back FAILED', async () => {
    const refused: FaceSimilarityOutcome = { status: 'FAILED', reason: 'VERDICT_UNVERIFIED', message: 'the claimed comparison result could not be verified' };
    const { activities, calls } = fakeActivities({
      recordSessionOutcome: async (input) => {
        calls.outcomes.push(input);
        return refused;
      },
    });
    let webhookOutcome: unknown;
    activities.deliverWebhook = async (input) => {
      webhookOutcome = input.outcome;
      return { delivered: true, status: 204 };
    };
    const outcome = await runSession(activities, async (handle) => {
      await handle.signal(fileUploadedSignal, ref('ID_IMAGE'));
      await handle.signal(fileUploadedSignal, ref('SELFIE_VIDEO'));
      return (await handle.result()) as FaceSimilarityOutcome;
    });
    expect(calls.outcomes[0]?.outcome.status).toBe('COMPLETED');
    expect(outcome).toEqual(refused);
    expect(webhookOutcome).toEqual(refused);
  });

  it('ignores signals that are not file references: an unknown kind, __proto__, a bad digest; drops unknown fields', async () => {
    const { activities, calls } = fakeActivities();
    const outcome = await runSession(activities, async (handle) => {
      const sneaky = JSON.parse('{"__proto__": {"ID_IMAGE": 1, "SELFIE_VIDEO": 1}}') as unknown as FileRef;
      await handle.signal(fileUploadedSignal, { ...ref('ID_IMAGE'), kind: '__proto__' } as unknown as FileRef);
      await handle.signal(fileUploadedSignal, sneaky);
      await handle.signal(fileUploadedSignal, { ...ref('ID_IMAGE'), sha256: 'not-a-digest' });
      await handle.signal(fileUploadedSignal, { ...ref('SELFIE_VIDEO'), kind: 'PASSPORT' } as unknown as FileRef);
      const partial = await handle.query(progressQuery);
      await handle.signal(fileUploadedSignal, { ...ref('ID_IMAGE'), extra: 'x' } as unknown as FileRef);
      await handle.signal(fileUploadedSignal, ref('SELFIE_VIDEO'));
      return { partial, outcome: (await handle.result()) as FaceSimilarityOutcome };
    });
    expect(outcome.partial.received).toEqual([]);
    expect(outcome.outcome.status).toBe('COMPLETED');
    expect(calls.compare).toHaveLength(1);
    expect(calls.compare[0]?.idImage).toEqual(ref('ID_IMAGE'));
  });

  it("refuses a start input that is not the contract's, and a malformed verdict from the GPU queue", async () => {
    const { activities, calls } = fakeActivities({ compareFaces: async () => ({ comparisonKey: 'x', match: 'yes' }) as unknown as FaceMatchVerdict });
    const sessionId = `00000000-0000-4000-9000-${String(++sessions).padStart(12, '0')}`;
    const bad = env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: ORCHESTRATION_QUEUE,
      workflowId: workflowIdFor(sessionId),
      args: [{ sessionId: 'not-a-uuid', uploadTimeoutMs: -1, gpuTaskQueue: GPU_QUEUE }],
    });
    const outcome = await runSession(activities, async (handle) => {
      await handle.signal(fileUploadedSignal, ref('ID_IMAGE'));
      await handle.signal(fileUploadedSignal, ref('SELFIE_VIDEO'));
      await expect((await bad).result()).rejects.toMatchObject({ cause: { type: 'INVALID_INPUT', message: expect.stringMatching(/invalid workflow input: sessionId/) } });
      return (await handle.result()) as FaceSimilarityOutcome;
    });
    expect(outcome).toEqual({ status: 'FAILED', reason: 'VERDICT_UNVERIFIED', message: 'the comparison answered with a malformed verdict' });
    expect(calls.outcomes).toHaveLength(1);
  });

  it('keeps the recorded outcome when the webhook never gets through', async () => {
    const { activities, calls } = fakeActivities({
      deliverWebhook: async () => {
        calls.webhooks++;
        throw new Error('webhook answered HTTP 503');
      },
    });
    const outcome = await runSession(activities, async (handle) => {
      await handle.signal(fileUploadedSignal, ref('ID_IMAGE'));
      await handle.signal(fileUploadedSignal, ref('SELFIE_VIDEO'));
      return (await handle.result()) as FaceSimilarityOutcome;
    });
    expect(outcome).toEqual({ status: 'COMPLETED', result: verdict });
    expect(calls.webhooks).toBe(WEBHOOK_POLICY.retry.maximumAttempts);
    expect(calls.outcomes.map((o) => o.outcome.status)).toEqual(['COMPLETED']);
  });

  describe('human review', () => {
    const SEVENTY_TWO_HOURS_MS = 72 * ONE_HOUR_MS;
    const needsReview: ReviewRequired = { status: 'NEEDS_REVIEW', triggers: ['SIMILARITY_NEAR_THRESHOLD'], waitMs: SEVENTY_TWO_HOURS_MS };
    const reviewedOutcome = (decidedBy: string): FaceSimilarityOutcome => ({
      status: 'COMPLETED',
      result: { ...verdict, match: false, review: { decision: 'REJECT', reasonCode: 'DIFFERENT_PERSON', decidedBy, decidedAt: '2026-12-03T12:00:00.000Z', machineMatch: true, triggers: ['SIMILARITY_NEAR_THRESHOLD'] } },
    });
    /** The recorder as a tenant with a review policy would have it: every completed comparison waits for a person. */
    const reviewing = () => {
      const fake = fakeActivities();
      fake.activities.recordSessionOutcome = async (input) => {
        fake.calls.outcomes.push(input);
        return input.reviewable ? needsReview : input.outcome;
      };
      fake.activities.recordReviewedOutcome = async (input) => {
        fake.calls.reviewed.push(input);
        return reviewedOutcome(input.review === 'SUBMITTED' ? 'key-1' : 'timeout-policy');
      };
      return fake;
    };
    /** Polls the progress query (queries do not skip time on the test server; awaiting a result does). */
    async function untilStatus(handle: Awaited<ReturnType<typeof start>>, status: string) {
      for (let i = 0; i < 200; i++) {
        if ((await handle.query(progressQuery)).status === status) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`never reached ${status}`);
    }

    it('waits in NEEDS_REVIEW for the reviewer Update and applies one decision, however often it is sent', async () => {
      const { activities, calls } = reviewing();
      const [first, again, other, late] = await runSession(activities, async (handle) => {
        await expect(handle.executeUpdate(submitReviewUpdate, { args: [{ decision: 'APPROVE', reasonCode: 'SAME_PERSON' }], updateId: 'too-early' }), 'refused before any comparison').rejects.toMatchObject({ cause: { message: expect.stringMatching(/not awaiting review/) } });
        await handle.signal(fileUploadedSignal, ref('ID_IMAGE'));
        await handle.signal(fileUploadedSignal, ref('SELFIE_VIDEO'));
        await untilStatus(handle, 'NEEDS_REVIEW');
        const submission = { decision: 'REJECT' as const, reasonCode: 'DIFFERENT_PERSON' as const };
        // A double click: the same Idempotency-Key twice, at once.
        const results = await Promise.allSettled([
          handle.executeUpdate(submitReviewUpdate, { args: [submission], updateId: 'idem-1' }),
          handle.executeUpdate(submitReviewUpdate, { args: [submission], updateId: 'idem-1' }),
        ]);
        // A second reviewer's different decision, after the first: refused, not applied.
        const other = await handle.executeUpdate(submitReviewUpdate, { args: [{ decision: 'APPROVE', reasonCode: 'SAME_PERSON' }], updateId: 'idem-2' }).then(() => 'applied', (err: Error) => String(err.cause instanceof Error ? err.cause.message : err.message));
        const late = (await handle.result()) as FaceSimilarityOutcome;
        return [...results, other, late] as const;
      });
      expect(first).toEqual({ status: 'fulfilled', value: reviewedOutcome('key-1') });
      expect(again).toEqual(first);
      // Refused by the validator, or (if the run finished first) by the server: never applied.
      expect(other).toMatch(/not awaiting review|already completed/i);
      expect(late).toEqual(reviewedOutcome('key-1'));
      expect(calls.outcomes).toHaveLength(1);
      expect(calls.reviewed).toEqual([{ sessionId: expect.any(String), review: 'SUBMITTED' }]);
      expect(calls.webhooks, 'the tenant hears the final decision once').toBe(1);
    });

    it('refuses a malformed decision in the Update validator, leaving the review open', async () => {
      const { activities, calls } = reviewing();
      const outcome = await runSession(activities, async (handle) => {
        await handle.signal(fileUploadedSignal, ref('ID_IMAGE'));
        await handle.signal(fileUploadedSignal, ref('SELFIE_VIDEO'));
        await untilStatus(handle, 'NEEDS_REVIEW');
        const bad = [{ decision: 'APPROVE', reasonCode: 'DIFFERENT_PERSON' }, { decision: 'MAYBE', reasonCode: 'OTHER' }, { decision: 'REJECT', reasonCode: 'OTHER', note: 'x'.repeat(501) }];
        for (const [i, submission] of bad.entries()) {
          await expect(handle.executeUpdate(submitReviewUpdate, { args: [submission as never], updateId: `bad-${i}` })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/invalid review/) } });
        }
        expect((await handle.query(progressQuery)).status).toBe('NEEDS_REVIEW');
        return handle.executeUpdate(submitReviewUpdate, { args: [{ decision: 'REJECT', reasonCode: 'SUSPECTED_SPOOF' }], updateId: 'good' });
      });
      expect(outcome.status).toBe('COMPLETED');
      expect(calls.reviewed.map((r) => r.review)).toEqual(['SUBMITTED']);
    });

    it("ends by the tenant's timeout policy when no reviewer comes", async () => {
      const { activities, calls } = reviewing();
      const started = await env.currentTimeMs();
      const outcome = await runSession(activities, async (handle) => {
        await handle.signal(fileUploadedSignal, ref('ID_IMAGE'));
        await handle.signal(fileUploadedSignal, ref('SELFIE_VIDEO'));
        return (await handle.result()) as FaceSimilarityOutcome;
      });
      expect((await env.currentTimeMs()) - started, 'the test server skipped the 72 hours').toBeGreaterThanOrEqual(SEVENTY_TWO_HOURS_MS);
      expect(calls.reviewed).toEqual([{ sessionId: expect.any(String), review: 'TIMED_OUT' }]);
      expect(outcome).toEqual(reviewedOutcome('timeout-policy'));
      expect(calls.webhooks).toBe(1);
    });
  });
});
