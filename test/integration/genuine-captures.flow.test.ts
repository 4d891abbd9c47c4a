// Captures genuine customers make, through the whole stack (HTTP uploads, Temporal, the GPU worker
// on the real models): a face that fills or overflows the frame, a face small in a 4K frame, a
// greyscale selfie, a small ID portrait. Each must be decided and matched, not refused, and an
// impostor made the same way must still not match.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, getSession, upload } from '../../dev/api-client.js';
import { faceSource, idImage, selfieVideo, type SelfieTransform, type Source } from '../../dev/eval/transforms.js';
import { sharedPipeline, testConfig } from '../../dev/face-pipeline.js';
import { fixture } from '../../dev/paths.js';
import { TenantStore } from '../../src/db/tenant-store.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

let stack: TestStack;
let media: string;
const sources: Record<string, Source> = {};

beforeAll(async () => {
  media = await mkdtemp(path.join(tmpdir(), 'kyc-captures-'));
  const pipeline = await sharedPipeline();
  for (const name of ['obama.jpg', 'obama2.jpg', 'biden.jpg', 'biden2.jpg']) {
    const source = await faceSource(fixture(name), pipeline);
    if (!source) throw new Error(`no face in fixture ${name}`);
    sources[name] = source;
  }
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
  await rm(media, { recursive: true, force: true });
});

async function decide(id: string, video: string) {
  const session = await createSession(stack);
  for (const [kind, file] of [['ID_IMAGE', id], ['SELFIE_VIDEO', video]] as const) {
    const res = await upload(stack, session.id, kind, file);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  const outcome = await stack.outcome(session.id);
  return { outcome, view: (await getSession(stack, session.id)).body };
}

describe('genuine captures are decided, not refused', () => {
  for (const [transform, what] of [
    ['closeup', 'a face that fills the frame, forehead to chin'],
    ['overflow', 'a face the frame cuts at the forehead, cheeks and chin'],
    ['small-4k', 'a face 150 px tall in a 3840×2160 frame'],
    ['grey', 'a greyscale selfie'],
  ] as const satisfies readonly (readonly [SelfieTransform, string])[]) {
    it(`matches ${what} against the colour ID photo, and refuses an impostor filmed the same way`, async () => {
      const genuine = await decide(fixture('obama.jpg'), await selfieVideo(sources['obama2.jpg']!, transform, media));
      expect(genuine.outcome, JSON.stringify(genuine.outcome)).toMatchObject({ status: 'COMPLETED', result: { match: true } });
      expect(genuine.view.result?.margin).toBeGreaterThan(0);

      const impostor = await decide(fixture('obama.jpg'), await selfieVideo(sources['biden2.jpg']!, transform, media));
      expect(impostor.outcome, JSON.stringify(impostor.outcome)).toMatchObject({ status: 'COMPLETED', result: { match: false } });
      expect(impostor.view.result?.margin).toBeLessThan(0);
    });
  }

  it('matches a 250×250 ID portrait whose face is sharp at its own size', async () => {
    const id = await idImage(sources['biden.jpg']!, 'small', path.join(media, 'biden-small.jpg'));
    const { outcome } = await decide(id, await selfieVideo(sources['biden2.jpg']!, 'photo', media));
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'COMPLETED', result: { match: true } });
  });
});

describe("a tenant's own threshold", () => {
  it('decides new sessions with it, returns it and the margin, and keeps within the bounds', async () => {
    const tenants = new TenantStore(stack.db);
    await expect(tenants.setMatchThreshold(stack.tenantId, 0.2)).rejects.toThrow(/0\.4\.\.0\.7/);
    await expect(tenants.setMatchThreshold(stack.tenantId, 0.95)).rejects.toThrow(/0\.4\.\.0\.7/);
    await tenants.setMatchThreshold(stack.tenantId, 0.7);
    try {
      const { outcome, view } = await decide(fixture('obama.jpg'), await selfieVideo(sources['obama2.jpg']!, 'photo', media));
      expect(outcome.status).toBe('COMPLETED');
      const result = view.result!;
      expect(result.threshold).toBe(0.7);
      expect(result.match).toBe(result.similarity >= 0.7);
      expect(result.margin).toBeCloseTo(result.similarity - 0.7, 6);
    } finally {
      await tenants.setMatchThreshold(stack.tenantId, null);
    }
  });

  it("ignores a session threshold changed behind the API's back, below the bounds: the service's decides", async () => {
    const session = await createSession(stack);
    await stack.db.kycSession.update({ where: { id: session.id }, data: { matchThreshold: 0.05 } });
    // An impostor: at 0.05 it would match.
    for (const [kind, file] of [['ID_IMAGE', fixture('obama.jpg')], ['SELFIE_VIDEO', await selfieVideo(sources['biden2.jpg']!, 'photo', media)]] as const) {
      expect((await upload(stack, session.id, kind, file)).status).toBe(201);
    }
    expect(await stack.outcome(session.id)).toMatchObject({ status: 'COMPLETED', result: { match: false, threshold: testConfig().face.matchThreshold } });
  });
});
