// The whole flow as a mobile app drives it: HTTP uploads -> Temporal workflow -> GPU activity on
// the real models -> result in Postgres, on a real Temporal server and database.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KYC_STATUS_SEARCH_ATTRIBUTE, workflowIdFor } from '../../src/contract/face-similarity.js';
import { createSession, getSession, upload } from '../../dev/api-client.js';
import { imageWithoutFace, videoFromImage } from '../../dev/media.js';
import { fixture } from '../../dev/paths.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

let stack: TestStack;
let media: string;
let obamaVideo: string;

beforeAll(async () => {
  media = await mkdtemp(path.join(tmpdir(), 'kyc-media-'));
  [stack, obamaVideo] = await Promise.all([startTestStack(), videoFromImage(fixture('obama2.jpg'), path.join(media, 'obama2.mp4'))]);
});

afterAll(async () => {
  await stack?.stop();
  await rm(media, { recursive: true, force: true });
});

async function runSession(uploads: [kind: string, file: string][]) {
  const session = await createSession(stack);
  expect(session.status).toBe('AWAITING_FILES');
  for (const [kind, file] of uploads) {
    const res = await upload(stack, session.id, kind, file);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  const outcome = await stack.outcome(session.id);
  const view = await getSession(stack, session.id);
  return { id: session.id, outcome, view: view.body };
}

describe('FaceSimilarityWorkflow end to end', () => {
  it('matches Lin-Manuel Miranda\'s photo against the Hamilton clip (image first)', async () => {
    const { id, outcome, view } = await runSession([
      ['ID_IMAGE', fixture('lin-manuel-miranda.png')],
      ['SELFIE_VIDEO', fixture('short_hamilton_clip.mp4')],
    ]);
    expect(outcome.status, JSON.stringify(outcome)).toBe('COMPLETED');
    if (outcome.status !== 'COMPLETED') return;
    expect(outcome.result.match).toBe(true);
    expect(outcome.result.similarity).toBeGreaterThan(0.45);
    // The history holds the verdict and the key; the per-frame details live in Postgres only.
    expect(Object.keys(outcome.result).sort()).toEqual(['comparisonKey', 'livenessVerdict', 'match', 'similarity', 'threshold']);

    expect(view.status).toBe('COMPLETED');
    expect(view.result).toMatchObject({ match: true, similarity: outcome.result.similarity, threshold: 0.42 });
    expect(view.result?.framesExamined).toBe(20);
    expect(view.result?.framesWithFace).toBeGreaterThan(10);
    expect(view.result?.detectorModel).toBe('yunet-2023mar');
    expect(view.result?.embedderModel).toBe('mobilefacenet-foamliu-128');
    expect(view.files.map((f) => f.kind)).toEqual(['ID_IMAGE', 'SELFIE_VIDEO']);

    const rows = await stack.db.faceComparison.findMany({ where: { sessionId: id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ comparisonKey: outcome.result.comparisonKey, status: 'COMPLETED', match: true });

    // Ops find it in Temporal UI by status.
    const described = await stack.workflows.client.workflow.getHandle(workflowIdFor(id)).describe();
    expect(described.typedSearchAttributes.get(KYC_STATUS_SEARCH_ATTRIBUTE)).toBe('COMPLETED');
  });

  it('matches obama.jpg against a video made from obama2.jpg, uploaded video first', async () => {
    const { outcome, view } = await runSession([
      ['SELFIE_VIDEO', obamaVideo],
      ['ID_IMAGE', fixture('obama.jpg')],
    ]);
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: { match: true } });
    if (outcome.status === 'COMPLETED') expect(outcome.result.similarity).toBeGreaterThan(0.6);
    expect(view.result?.match).toBe(true);
  });

  it('does not match biden.jpg against the obama video', async () => {
    const { outcome, view } = await runSession([
      ['ID_IMAGE', fixture('biden.jpg')],
      ['SELFIE_VIDEO', obamaVideo],
    ]);
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: { match: false } });
    if (outcome.status === 'COMPLETED') expect(outcome.result.similarity).toBeLessThan(0.2);
    expect(view).toMatchObject({ status: 'COMPLETED', result: { match: false } });
  });

  it('rejects an ID image without a face, with its reason', async () => {
    const noFace = await imageWithoutFace(path.join(media, 'no-face.jpg'));
    const { id, outcome, view } = await runSession([
      ['ID_IMAGE', noFace],
      ['SELFIE_VIDEO', obamaVideo],
    ]);
    expect(outcome).toMatchObject({ status: 'REJECTED', reason: 'NO_FACE_ON_DOCUMENT' });
    expect(view).toMatchObject({ status: 'REJECTED', rejectionReason: 'NO_FACE_ON_DOCUMENT', result: null });
    const rows = await stack.db.faceComparison.findMany({ where: { sessionId: id } });
    expect(rows).toMatchObject([{ status: 'REJECTED', rejectionReason: 'NO_FACE_ON_DOCUMENT', attempts: 1 }]);
  });
});

describe('upload timeout', () => {
  let short: TestStack;
  beforeAll(async () => {
    short = await startTestStack({ uploadTimeoutMs: 1500 });
  });
  afterAll(async () => short?.stop());

  it('expires a session that only ever got one file, and refuses later uploads', async () => {
    const session = await createSession(short);
    expect((await upload(short, session.id, 'ID_IMAGE', fixture('obama.jpg'))).status).toBe(201);
    const outcome = await short.outcome(session.id);
    expect(outcome).toEqual({ status: 'EXPIRED', missing: ['SELFIE_VIDEO'] });
    const view = await getSession(short, session.id);
    expect(view.body).toMatchObject({ status: 'EXPIRED', result: null });
    expect(view.body.completedAt).not.toBeNull();

    const late = await upload(short, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
    expect(late.status).toBe(409);
    expect(late.contentType).toContain('application/problem+json');
    expect(late.body).toMatchObject({ code: 'session-closed', status: 409 });
    expect(await short.db.uploadedFile.count({ where: { sessionId: session.id } })).toBe(1);
  });
});
