// Erasure on request: DELETE /v1/sessions/:id removes the media, file rows, per-frame details and
// the Temporal history, stops a running session, and leaves a tombstone with a receipt.
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { workflowIdFor } from '../../src/contract/face-similarity.js';
import { createSession, getSession, upload } from '../../dev/api-client.js';
import { fixture } from '../../dev/paths.js';
import { newTenantWithKey } from '../../dev/tenants.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ uploadTimeoutMs: 60_000 });
});
afterAll(async () => {
  await stack?.stop();
});

const erase = (sessionId: string, key = stack.apiKey) =>
  fetch(`${stack.baseUrl}/v1/sessions/${sessionId}`, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } });

async function blobsOf(sessionId: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const blob of stack.blobs.list()) if (blob.key.startsWith(`sessions/${sessionId}/`)) keys.push(blob.key);
  return keys;
}

describe('DELETE /v1/sessions/:id', () => {
  it('erases a decided session and answers with a receipt; GET then shows the tombstone', async () => {
    const session = await createSession(stack);
    await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'));
    await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
    await stack.outcome(session.id);
    expect(await blobsOf(session.id)).toHaveLength(2);

    const res = await erase(session.id);
    expect(res.status).toBe(200);
    const receipt = (await res.json()) as Record<string, unknown>;
    expect(receipt).toMatchObject({
      sessionId: session.id,
      status: 'DELETED',
      deleted: { blobs: 2, fileRows: 2, frameDetails: 1, temporalHistory: true, runTerminated: false },
    });
    expect(await blobsOf(session.id)).toEqual([]);
    expect(await stack.db.uploadedFile.count({ where: { sessionId: session.id } })).toBe(0);
    const [comparison] = await stack.db.faceComparison.findMany({ where: { sessionId: session.id } });
    expect(comparison?.details).toBeNull();
    // The decision is the AML record: it stays.
    expect(comparison?.match).not.toBeNull();
    // Temporal accepted the deletion (temporalHistory: true above); it deletes the execution
    // asynchronously, and the CLI dev server still describes it 20 s later (measured), so the
    // completion of that deletion is Temporal's part, not asserted here.

    const read = await getSession(stack, session.id);
    expect(read.status).toBe(200);
    // The decision stays readable (the AML record), its per-frame details do not.
    expect(read.body).toMatchObject({ status: 'DELETED', files: [], result: { frames: [] }, erasure: receipt });

    // The audit trail tells who did what, in order, and outlives the erasure; never scores or media.
    const auditRes = await fetch(`${stack.baseUrl}/v1/sessions/${session.id}/audit`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
    expect(auditRes.status).toBe(200);
    const { events } = (await auditRes.json()) as { events: { action: string; actor: string; requestId: string | null; detail: string | null; at: string }[] };
    expect(events.map((e) => e.action)).toEqual(['SESSION_CREATED', 'FILE_UPLOADED', 'FILE_UPLOADED', 'SESSION_COMPLETED', 'SESSION_DELETED', 'RESULT_READ']);
    expect(events.filter((e) => e.actor === 'workflow').map((e) => e.action)).toEqual(['SESSION_COMPLETED']);
    expect(events.filter((e) => e.action !== 'SESSION_COMPLETED').every((e) => e.requestId && e.actor.length === 36)).toBe(true);
    // No scores: neither a figure nor a verdict field name (timestamps left out).
    expect(JSON.stringify(events.map(({ at: _at, ...e }) => e))).not.toMatch(/similarity|match|threshold|\d\.\d/);
    // The session token died with the erasure: it reads nothing any more.
    const tokenAudit = await fetch(`${stack.baseUrl}/v1/sessions/${session.id}/audit`, { headers: { authorization: `Bearer ${session.clientToken}` } });
    expect(tokenAudit.status).toBe(401);
    expect(await tokenAudit.json()).toMatchObject({ code: 'session-token-expired' });

    // Idempotent: the same receipt again; and nothing can be uploaded any more.
    expect(await (await erase(session.id)).json()).toEqual(receipt);
    expect((await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'))).status).toBe(409);
    expect(await blobsOf(session.id)).toEqual([]);
  });

  it('stops a session still waiting for its files and deletes its partial upload', async () => {
    const session = await createSession(stack);
    await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'));
    const receipt = await (await erase(session.id)).json();
    expect(receipt).toMatchObject({ deleted: { blobs: 1, fileRows: 1, runTerminated: true, temporalHistory: true } });
    expect(await blobsOf(session.id)).toEqual([]);
    expect((await stack.db.kycSession.findUniqueOrThrow({ where: { id: session.id } })).status).toBe('DELETED');
  });

  it('is tenant-scoped and needs an API key, not a session token', async () => {
    const session = await createSession(stack);
    const other = await newTenantWithKey(stack.db, 'erasure-other');
    expect((await erase(session.id, other.apiKey)).status).toBe(404);
    expect((await erase(session.id, session.clientToken)).status).toBe(403);
    expect((await stack.db.kycSession.findUniqueOrThrow({ where: { id: session.id } })).status).toBe('AWAITING_FILES');
  });
});

/** Whether Temporal still holds any run of the session's workflow (deletion is asynchronous: waits for it). */
async function runsLeft(sessionId: string): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    let runs = 0;
    for await (const _ of stack.workflows.client.workflow.list({ query: `WorkflowId = '${workflowIdFor(sessionId)}'` })) runs++;
    if (runs === 0 || Date.now() > deadline) return runs;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('erasure that nothing resurrects', () => {
  it('waits for an upload whose signal is in flight, then erases what it wrote: no row, no blob, no run survives', async () => {
    const session = await createSession(stack);
    // Hold the upload inside its transaction, at its signal, while the DELETE arrives.
    const original = stack.workflows.fileUploaded.bind(stack.workflows);
    let atSignal!: () => void;
    const reachedSignal = new Promise<void>((resolve) => (atSignal = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    stack.workflows.fileUploaded = async (...args) => {
      atSignal();
      await gate;
      return original(...args);
    };
    try {
      const uploading = upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'));
      await reachedSignal;
      const erasing = erase(session.id);
      // The erasure waits on the session row the upload holds.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await stack.db.kycSession.findUniqueOrThrow({ where: { id: session.id } })).status).toBe('AWAITING_FILES');
      release();
      expect((await uploading).status).toBe(201);
      const receipt = (await (await erasing).json()) as { deleted: { blobs: number; fileRows: number } };
      expect(receipt.deleted).toMatchObject({ blobs: 1, fileRows: 1 });
    } finally {
      stack.workflows.fileUploaded = original;
    }
    expect(await stack.db.uploadedFile.count({ where: { sessionId: session.id } })).toBe(0);
    expect(await blobsOf(session.id)).toEqual([]);
    expect(await runsLeft(session.id)).toBe(0);
    // And an upload after it is refused without starting a run again.
    expect((await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'))).status).toBe(409);
    expect(await blobsOf(session.id)).toEqual([]);
    await expect(stack.workflows.client.workflow.getHandle(workflowIdFor(session.id)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('refuses an upload that was still streaming when the session was erased, and keeps nothing of it', async () => {
    const session = await createSession(stack);
    const original = stack.workflows.fileUploaded.bind(stack.workflows);
    let erased!: () => void;
    const afterErasure = new Promise<void>((resolve) => (erased = resolve));
    // The upload's bytes are all in; its commit comes only after the erasure is complete.
    stack.blobs.write = ((write) => async (...args: Parameters<typeof write>) => {
      const blob = await write(...args);
      await afterErasure;
      return blob;
    })(stack.blobs.write.bind(stack.blobs));
    try {
      const uploading = upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await erase(session.id)).status).toBe(200);
      erased();
      const refused = await uploading;
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'session-closed' });
    } finally {
      stack.workflows.fileUploaded = original;
      delete (stack.blobs as { write?: unknown }).write;
    }
    expect(await stack.db.uploadedFile.count({ where: { sessionId: session.id } })).toBe(0);
    expect(await blobsOf(session.id)).toEqual([]);
    expect(await runsLeft(session.id)).toBe(0);
  });

  it('deletes every run of the workflow, resets included, and the stored responses that held the token', async () => {
    const key = `erase-${Date.now()}`;
    const created = await fetch(`${stack.baseUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, 'idempotency-key': key } });
    const session = (await created.json()) as { id: string };
    expect(await stack.db.idempotencyRecord.count({ where: { sessionId: session.id } })).toBe(1);
    await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'));
    // An operator resets the run: Temporal now holds two runs of the session's workflow.
    const workflowId = workflowIdFor(session.id);
    const { history } = await stack.workflows.client.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId } });
    const firstTask = history!.events!.find((e) => e.workflowTaskCompletedEventAttributes)!;
    await stack.workflows.client.workflowService.resetWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, workflowTaskFinishEventId: firstTask.eventId, requestId: `reset-${key}`, reason: 'test' });
    // Visibility is eventually consistent: the reset's new run may take a moment to be listed.
    await vi.waitFor(
      async () => {
        let runs = 0;
        for await (const _ of stack.workflows.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs++;
        expect(runs).toBe(2);
      },
      { timeout: 10_000, interval: 200 },
    );

    const receipt = (await (await erase(session.id)).json()) as { deleted: { temporalRuns: number; storedResponses: number } };
    expect(receipt.deleted).toMatchObject({ temporalRuns: 2, storedResponses: 1 });
    expect(await runsLeft(session.id)).toBe(0);
    expect(await stack.db.idempotencyRecord.count({ where: { sessionId: session.id } })).toBe(0);
  });
});
