// Human review on the real stack: a tenant whose policy sends decisions to a person, a reviewer key
// that lists and decides them, one decision however often it is sent, the webhook and the audit
// trail carrying the person's decision, and an Update forged through Temporal deciding nothing.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionView } from '../../src/api/views.js';
import { submitReviewUpdate, workflowIdFor, type FaceSimilarityOutcome } from '../../src/contract/face-similarity.js';
import { TenantStore } from '../../src/db/tenant-store.js';
import { ReviewStore } from '../../src/db/review-store.js';
import { watchReviewBacklog } from '../../src/sessions/review-backlog.js';
import { createSession, getSession, upload } from '../../dev/api-client.js';
import { quietLogger, testConfig } from '../../dev/face-pipeline.js';
import { VerdictVerifier } from '../../src/crypto/verdict-signature.js';
import { ComparisonStore } from '../../src/db/comparison-store.js';
import { Decisions } from '../../src/sessions/decisions.js';
import { OutcomeRecorder } from '../../src/sessions/outcome-recorder.js';
import { fixture } from '../../dev/paths.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { startWebhookReceiver } from '../helpers/webhook-receiver.js';

let stack: TestStack;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let reviewerKey: string;
let reviewerKeyId: string;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  stack = await startTestStack({
    webhookUrl: receiver.url,
    uploadTimeoutMs: 120_000,
    env: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_SECRET_KEYS: `k1:${randomBytes(32).toString('base64')}` },
  });
  const tenants = new TenantStore(stack.db);
  // Borderline: within 0.2 of the 0.42 threshold (the genuine pair below scores ~0.57).
  await tenants.setReviewPolicy(stack.tenantId, { similarityBand: 0.2, timeoutMs: 72 * 3_600_000 });
  const created = await tenants.createKey(stack.tenantId, 'ops desk', 'REVIEWER');
  reviewerKey = created.key;
  reviewerKeyId = created.id;
});

afterAll(async () => {
  await stack?.stop();
  receiver?.close();
});

const call = async (key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
};

async function untilStatus(sessionId: string, status: string): Promise<SessionView> {
  for (let i = 0; i < 600; i++) {
    const { body } = await getSession(stack, sessionId);
    if (body.status === status) return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`session ${sessionId} never reached ${status}`);
}

async function sessionAwaitingReview(): Promise<string> {
  const session = await createSession(stack);
  expect((await upload(stack, session.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'))).status).toBe(201);
  expect((await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'))).status).toBe(201);
  await untilStatus(session.id, 'NEEDS_REVIEW');
  return session.id;
}

describe('human review', () => {
  it('holds a decided session in NEEDS_REVIEW until a reviewer decides it, once, and tells the tenant the person\'s decision', async () => {
    const id = await sessionAwaitingReview();
    const waiting = await getSession(stack, id);
    expect(waiting.body.review).toMatchObject({ triggers: ['SIMILARITY_NEAR_THRESHOLD'], machineMatch: true, decision: null, onTimeout: 'REJECT' });
    expect(Math.abs(waiting.body.result!.similarity - waiting.body.result!.threshold)).toBeLessThanOrEqual(0.2);
    expect(waiting.body.completedAt).toBeNull();

    // The queue: reviewer keys only; the session with its machine result and why it is there.
    expect((await call(stack.apiKey, 'GET', '/v1/reviews')).status).toBe(403);
    const queue = await call(reviewerKey, 'GET', '/v1/reviews?limit=100');
    expect(queue.status).toBe(200);
    const listed = (queue.body.reviews as { sessionId: string; review: Record<string, unknown>; session: SessionView }[]).find((r) => r.sessionId === id);
    expect(listed?.review).toMatchObject({ triggers: ['SIMILARITY_NEAR_THRESHOLD'], decision: null });
    expect(listed?.session.result?.match).toBe(true);
    expect(listed?.session.result?.similarity).toBeGreaterThan(0.4);

    // Roles stay in their lane: a reviewer cannot create or upload, an integration key cannot review.
    expect((await call(reviewerKey, 'POST', '/v1/sessions')).status).toBe(403);
    expect((await upload({ baseUrl: stack.baseUrl, apiKey: reviewerKey }, id, 'ID_IMAGE', fixture('obama.jpg'))).status).toBe(403);
    const decision = { decision: 'REJECT', reasonCode: 'DIFFERENT_PERSON', note: 'hairline differs' };
    const byIntegration = await call(stack.apiKey, 'POST', `/v1/sessions/${id}/review`, decision, { 'idempotency-key': 'k-int' });
    expect(byIntegration.status).toBe(403);
    const noKey = await call(reviewerKey, 'POST', `/v1/sessions/${id}/review`, decision);
    expect(noKey).toMatchObject({ status: 400, type: expect.stringContaining('application/problem+json'), body: { code: 'idempotency-key-required' } });
    const mismatched = await call(reviewerKey, 'POST', `/v1/sessions/${id}/review`, { decision: 'APPROVE', reasonCode: 'DIFFERENT_PERSON' }, { 'idempotency-key': 'k-bad' });
    expect(mismatched.status).toBe(400);

    // A double click: the same request twice at once, one decision, the same answer.
    const [first, second] = await Promise.all([
      call(reviewerKey, 'POST', `/v1/sessions/${id}/review`, decision, { 'idempotency-key': 'click-1' }),
      call(reviewerKey, 'POST', `/v1/sessions/${id}/review`, decision, { 'idempotency-key': 'click-1' }),
    ]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'COMPLETED', result: { match: false }, review: { decision: 'REJECT', reasonCode: 'DIFFERENT_PERSON', decidedBy: reviewerKeyId, machineMatch: true } });
    expect(second.body.review).toEqual(first.body.review);
    // A different decision afterwards is refused, and the first stands.
    const late = await call(reviewerKey, 'POST', `/v1/sessions/${id}/review`, { decision: 'APPROVE', reasonCode: 'SAME_PERSON' }, { 'idempotency-key': 'click-2' });
    expect(late).toMatchObject({ status: 409, body: { code: 'already-reviewed' } });

    const outcome = await stack.outcome(id);
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: { match: false, review: { decision: 'REJECT', decidedBy: reviewerKeyId, machineMatch: true, triggers: ['SIMILARITY_NEAR_THRESHOLD'] } } });
    const final = await getSession(stack, id);
    expect(final.body).toMatchObject({ status: 'COMPLETED', result: { match: false }, review: { decision: 'REJECT' } });
    expect(final.body.completedAt).not.toBeNull();

    // The tenant hears once, after the person decided, with the person's decision.
    const sent = await receiver.about(id);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ status: 'COMPLETED', result: { match: false, review: { decision: 'REJECT', reasonCode: 'DIFFERENT_PERSON', machineMatch: true } } });

    const audit = await call(stack.apiKey, 'GET', `/v1/sessions/${id}/audit`);
    const actions = (audit.body.events as { action: string; actor: string }[]).map((e) => `${e.action}:${e.actor}`);
    expect(actions).toEqual(expect.arrayContaining(['REVIEW_REQUESTED:workflow', `REVIEW_SUBMITTED:${reviewerKeyId}`, `REVIEW_DECIDED:${reviewerKeyId}`, 'SESSION_COMPLETED:workflow']));
    expect(actions.filter((a) => a.startsWith('REVIEW_SUBMITTED'))).toHaveLength(1);
    expect(await stack.metrics.registry.getSingleMetricAsString('kyc_review_decisions_total')).toMatch(/decision="REJECT",decided_by="reviewer"} 1/);

    // The recording activity retried after it recorded (its worker died before reporting): same answer, nothing rewritten.
    const recorder = new OutcomeRecorder({
      db: stack.db,
      decisions: new Decisions(new ComparisonStore(stack.db), VerdictVerifier.parse(testConfig().verdicts.publicKeys), quietLogger()),
      tenants: new TenantStore(stack.db),
      metrics: stack.metrics,
      logger: quietLogger(),
    });
    expect(await recorder.recordReviewed(id, 'SUBMITTED')).toEqual(outcome);
    expect((await getSession(stack, id)).body).toMatchObject({ status: 'COMPLETED', completedAt: final.body.completedAt, result: { match: false } });
    const after = (await call(stack.apiKey, 'GET', `/v1/sessions/${id}/audit`)).body.events as { action: string }[];
    expect(after.filter((e) => e.action === 'REVIEW_DECIDED')).toHaveLength(1);
  });

  it('decides a clear case alone: a pair far from the threshold is never sent to review', async () => {
    const session = await createSession(stack);
    await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'));
    await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
    const outcome = await stack.outcome(session.id);
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: { match: false } });
    expect(outcome.status === 'COMPLETED' && outcome.result.review).toBeUndefined();
    const read = await getSession(stack, session.id);
    expect(read.body.review).toBeNull();
    expect(Math.abs(read.body.result!.similarity - read.body.result!.threshold)).toBeGreaterThan(0.2);
  });

  it('loses nothing when the workers restart while a session awaits review', async () => {
    const id = await sessionAwaitingReview();
    await stack.restartWorkers();
    const decided = await call(reviewerKey, 'POST', `/v1/sessions/${id}/review`, { decision: 'APPROVE', reasonCode: 'SAME_PERSON' }, { 'idempotency-key': 'after-restart' });
    expect(decided).toMatchObject({ status: 200, body: { status: 'COMPLETED', result: { match: true }, review: { decision: 'APPROVE', decidedBy: reviewerKeyId } } });
    expect(await stack.outcome(id)).toMatchObject({ status: 'COMPLETED', result: { match: true, review: { decision: 'APPROVE', reasonCode: 'SAME_PERSON' } } });
  });

  it('decides nothing on an Update forged through Temporal: the session ends FAILED, VERDICT_UNVERIFIED', async () => {
    const id = await sessionAwaitingReview();
    const backlog = watchReviewBacklog(new ReviewStore(stack.db), stack.metrics, quietLogger(), 3_600_000);
    await backlog.refresh();
    backlog.stop();
    expect(await stack.metrics.registry.getSingleMetricAsString('kyc_reviews')).toMatch(/state="waiting"} [1-9]/);
    // Someone with access to the Temporal frontend, not the API: no reviewer row behind it.
    const handle = stack.workflows.client.workflow.getHandle(workflowIdFor(id));
    const forged: FaceSimilarityOutcome = await handle.executeUpdate(submitReviewUpdate, { args: [{ decision: 'APPROVE', reasonCode: 'SAME_PERSON' }], updateId: randomUUID() });
    expect(forged).toMatchObject({ status: 'FAILED', reason: 'VERDICT_UNVERIFIED' });
    expect((await getSession(stack, id)).body).toMatchObject({ status: 'FAILED', rejectionReason: 'VERDICT_UNVERIFIED' });
    // The review is closed: a reviewer arriving now is told so.
    const late = await call(reviewerKey, 'POST', `/v1/sessions/${id}/review`, { decision: 'APPROVE', reasonCode: 'SAME_PERSON' }, { 'idempotency-key': 'after-forgery' });
    expect(late).toMatchObject({ status: 409, body: { code: 'not-awaiting-review' } });
  });
});
