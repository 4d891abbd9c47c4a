// Retention: media, per-frame details and decision records each leave after their own period,
// per tenant; the sweep is a Temporal Schedule's workflow, idempotent and visible in Temporal UI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETENTION_SCHEDULE_ID, RETENTION_WORKFLOW_TYPE, type PurgeReport } from '../../src/contract/face-similarity.js';
import { Prisma } from '../../src/generated/prisma/client.js';
import { ensureRetentionSchedule } from '../../src/temporal/retention-schedule.js';
import { createSession, getSession, upload } from '../../dev/api-client.js';
import { fixture } from '../../dev/paths.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ uploadTimeoutMs: 60_000 });
});
afterAll(async () => {
  await stack?.stop();
});

const HOUR = 3600_000;
const DAY = 24 * HOUR;

async function blobsOf(sessionId: string): Promise<number> {
  let n = 0;
  for await (const blob of stack.blobs.list()) if (blob.key.startsWith(`sessions/${sessionId}/`)) n++;
  return n;
}

/** Moves a session's end (and its comparison's) `ms` into the past. */
async function endedAgo(sessionId: string, ms: number): Promise<void> {
  const when = new Date(Date.now() - ms);
  await stack.db.kycSession.update({ where: { id: sessionId }, data: { completedAt: when } });
  await stack.db.faceComparison.updateMany({ where: { sessionId }, data: { completedAt: when } });
}

/** One sweep as the Schedule starts it: the retention workflow on the orchestration queue. */
const sweep = () =>
  stack.workflows.client.workflow.execute(RETENTION_WORKFLOW_TYPE, { taskQueue: stack.queues.orchestration, workflowId: `retention-test-${Date.now()}` }) as Promise<PurgeReport>;

async function decidedSession() {
  const session = await createSession(stack);
  await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'));
  await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
  await stack.outcome(session.id);
  return session;
}

describe('retention', () => {
  it('deletes media after MEDIA_RETENTION, frame details after FRAME_DETAILS_RETENTION, decisions after DECISION_RETENTION', async () => {
    const fresh = await decidedSession();
    const dayOld = await decidedSession();
    const monthsOld = await decidedSession();
    const yearsOld = await decidedSession();
    // A session that expired with only its ID image: as recordSessionOutcome leaves it.
    const expired = await createSession(stack);
    await upload(stack, expired.id, 'ID_IMAGE', fixture('obama.jpg'));
    await stack.workflows.client.workflow.getHandle(`kyc-session-${expired.id}`).terminate('expired for the test');
    await stack.db.kycSession.update({ where: { id: expired.id }, data: { status: 'EXPIRED' } });
    await endedAgo(expired.id, 25 * HOUR);
    await endedAgo(dayOld.id, 25 * HOUR);
    await endedAgo(monthsOld.id, 60 * DAY);
    await endedAgo(yearsOld.id, 6 * 365 * DAY);

    const report = await sweep();
    expect(report.decisions).toBeGreaterThanOrEqual(1);
    // Fresh: everything kept.
    expect(await blobsOf(fresh.id)).toBe(2);
    // Expired with one file: its partial upload is gone.
    expect(await blobsOf(expired.id)).toBe(0);
    // A day old: media gone, the decision and its frames kept.
    expect(await blobsOf(dayOld.id)).toBe(0);
    expect(await stack.db.uploadedFile.count({ where: { sessionId: dayOld.id } })).toBe(0);
    const dayOldComparison = await stack.db.faceComparison.findFirstOrThrow({ where: { sessionId: dayOld.id } });
    expect((dayOldComparison.details as { frames?: unknown[] }).frames?.length).toBeGreaterThan(0);
    // Two months old: the per-frame details gone too; the verdict stays.
    const monthsOldComparison = await stack.db.faceComparison.findFirstOrThrow({ where: { sessionId: monthsOld.id } });
    expect((monthsOldComparison.details as { frames?: unknown[] }).frames).toBeUndefined();
    expect(monthsOldComparison.match).not.toBeNull();
    // Six years old: the decision record itself is gone.
    expect(await stack.db.kycSession.count({ where: { id: yearsOld.id } })).toBe(0);
    expect(await stack.db.faceComparison.count({ where: { sessionId: yearsOld.id } })).toBe(0);

    // Idempotent: a second sweep finds nothing more of these.
    const again = await sweep();
    expect(again).toMatchObject({ blobs: 0, frameDetails: 0 });
  });

  it('takes a tenant\'s own periods over the defaults', async () => {
    await stack.db.tenant.update({ where: { id: stack.tenantId }, data: { retentionPolicy: { mediaMs: 7 * DAY } } });
    try {
      const session = await decidedSession();
      await endedAgo(session.id, 2 * DAY);
      await sweep();
      expect(await blobsOf(session.id)).toBe(2);
      await endedAgo(session.id, 8 * DAY);
      await sweep();
      expect(await blobsOf(session.id)).toBe(0);
    } finally {
      await stack.db.tenant.update({ where: { id: stack.tenantId }, data: { retentionPolicy: Prisma.DbNull } });
    }
  });

  it('with a short MEDIA_RETENTION, the API shows the media gone and the decision still there', async () => {
    const short = await startTestStack({ uploadTimeoutMs: 60_000, env: { MEDIA_RETENTION: '2s' } });
    try {
      const session = await createSession(short);
      await upload(short, session.id, 'ID_IMAGE', fixture('obama.jpg'));
      await upload(short, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
      await short.outcome(session.id);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await short.workflows.client.workflow.execute(RETENTION_WORKFLOW_TYPE, { taskQueue: short.queues.orchestration, workflowId: `retention-short-${Date.now()}` });
      const read = await getSession(short, session.id);
      expect(read.status).toBe(200);
      expect(read.body.status).toBe('COMPLETED');
      expect(read.body.files).toEqual([]);
      expect(read.body.result).toMatchObject({ match: expect.any(Boolean), similarity: expect.any(Number) });
      let left = 0;
      for await (const blob of short.blobs.list()) if (blob.key.startsWith(`sessions/${session.id}/`)) left++;
      expect(left).toBe(0);
    } finally {
      await short.stop();
    }
  });

  it("closes a session whose run an operator terminated, and purges its media like any other's", async () => {
    const session = await createSession(stack);
    await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'));
    await stack.workflows.client.workflow.getHandle(`kyc-session-${session.id}`).terminate('terminated by an operator in Temporal UI');
    // Long past its upload wait, still AWAITING_FILES in Postgres: nothing would ever purge it before.
    await stack.db.kycSession.update({ where: { id: session.id }, data: { createdAt: new Date(Date.now() - 3 * HOUR) } });
    const first = await sweep();
    expect(first.abandoned).toBeGreaterThanOrEqual(1);
    expect(await stack.db.kycSession.findUniqueOrThrow({ where: { id: session.id } })).toMatchObject({ status: 'FAILED', rejectionReason: 'ABANDONED' });
    expect((await stack.db.auditEvent.findMany({ where: { sessionId: session.id } })).map((a) => a.action)).toContain('SESSION_ABANDONED');
    await endedAgo(session.id, 25 * HOUR);
    await sweep();
    expect(await blobsOf(session.id)).toBe(0);
    // A session whose run is still going (it waits for its second file) is left alone, however old.
    const waiting = await createSession(stack);
    await stack.db.kycSession.update({ where: { id: waiting.id }, data: { createdAt: new Date(Date.now() - 3 * HOUR) } });
    await sweep();
    expect((await stack.db.kycSession.findUniqueOrThrow({ where: { id: waiting.id } })).status).toBe('AWAITING_FILES');
  });

  it('is a Temporal Schedule, created once and updated in place', async () => {
    const client = stack.workflows.client;
    await ensureRetentionSchedule(client, { taskQueue: stack.queues.orchestration, everyMs: HOUR });
    await ensureRetentionSchedule(client, { taskQueue: stack.queues.orchestration, everyMs: 2 * HOUR });
    const described = await client.schedule.getHandle(RETENTION_SCHEDULE_ID).describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: RETENTION_WORKFLOW_TYPE, taskQueue: stack.queues.orchestration });
    expect(described.spec.intervals?.[0]?.every).toBe(2 * HOUR);
    await client.schedule.getHandle(RETENTION_SCHEDULE_ID).delete();
  });
});
