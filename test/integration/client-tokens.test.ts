// Session-scoped client tokens: what a mobile app holds instead of the tenant's API key. It can
// upload to and read its one session, nothing else, and has a rate budget of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../src/auth/session-token.js';
import { TenantStore } from '../../src/db/tenant-store.js';
import { createSession, getSession, upload } from '../../dev/api-client.js';
import { fixture } from '../../dev/paths.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

const SECRET = 'client-token-test-secret-0123456789abcdef';
/** Per credential and minute; the tenant's API key makes a few dozen requests in this file. */
const LIMIT = 40;
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ env: { CLIENT_TOKEN_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: String(LIMIT), CLIENT_TOKEN_FINAL_GRACE: '2s' } });
});
afterAll(async () => {
  await stack?.stop();
});

const as = (token: string) => ({ baseUrl: stack.baseUrl, apiKey: token });

describe('session-scoped client tokens', () => {
  it('come with a new session and let the app upload both files and read the outcome', async () => {
    const session = await createSession(stack);
    expect(session.clientToken).toMatch(/^kst_/);
    expect(Date.parse(session.clientTokenExpiresAt) - Date.now()).toBeGreaterThan(55 * 60_000);
    const app = as(session.clientToken);
    expect((await upload(app, session.id, 'ID_IMAGE', fixture('obama.jpg'))).status).toBe(201);
    expect((await upload(app, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'))).status).toBe(201);
    await stack.outcome(session.id);
    const read = await getSession(app, session.id);
    expect(read.status).toBe(200);
    // Obama's photo against the Hamilton clip: two people, decided, and said plainly.
    expect(read.body).toMatchObject({ status: 'COMPLETED', decision: 'NOT_VERIFIED', retake: null });
  });

  it("read the status and what to do next, never scores, thresholds or the liveness checks (a graded oracle for tuning attacks)", async () => {
    const session = await createSession(stack);
    const app = as(session.clientToken);
    await upload(app, session.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'));
    await upload(app, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
    await stack.outcome(session.id);
    const endUser = await getSession(app, session.id);
    expect(Object.keys(endUser.body).sort()).toEqual(['challenge', 'completedAt', 'createdAt', 'decision', 'files', 'id', 'retake', 'status']);
    expect(JSON.stringify(endUser.body)).not.toMatch(/similarity|threshold|score|liveness|frames|sha256/);
    // The tenant's key still reads everything.
    const tenant = await getSession(stack, session.id);
    expect(tenant.body).toMatchObject({ result: { match: true, threshold: 0.42 }, liveness: { verdict: 'PASS' } });
  });

  it('die with their session: erased, expired, or ended longer ago than the grace period', async () => {
    const erased = await createSession(stack);
    expect((await getSession(as(erased.clientToken), erased.id)).status).toBe(200);
    expect((await fetch(`${stack.baseUrl}/v1/sessions/${erased.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${stack.apiKey}` } })).status).toBe(200);
    const afterErasure = await getSession(as(erased.clientToken), erased.id);
    expect(afterErasure.status).toBe(401);
    expect(afterErasure.body).toMatchObject({ code: 'session-token-expired' });

    const expired = await createSession(stack);
    await stack.db.kycSession.update({ where: { id: expired.id }, data: { status: 'EXPIRED', completedAt: new Date() } });
    expect((await getSession(as(expired.clientToken), expired.id)).status).toBe(401);

    const decided = await createSession(stack);
    await stack.db.kycSession.update({ where: { id: decided.id }, data: { status: 'REJECTED', rejectionReason: 'VIDEO_TOO_DARK', completedAt: new Date() } });
    const fresh = await getSession(as(decided.clientToken), decided.id);
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ decision: 'RETAKE', retake: { file: 'SELFIE_VIDEO', code: 'MORE_LIGHT' } });
    await stack.db.kycSession.update({ where: { id: decided.id }, data: { completedAt: new Date(Date.now() - 3000) } });
    expect((await getSession(as(decided.clientToken), decided.id)).status).toBe(401);
  });

  it("never get another credential's stored response: a token cannot replay a create, and another API key's Idempotency-Key makes its own session", async () => {
    const key = `create-${Date.now()}`;
    const create = (credential: string) => fetch(`${stack.baseUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${credential}`, 'idempotency-key': key } });
    const first = await create(stack.apiKey);
    expect(first.status).toBe(201);
    const original = (await first.json()) as { id: string; clientToken: string };
    // A session token of the same tenant, replaying the key: refused, and no token leaks.
    const stranger = await createSession(stack);
    const replayed = await create(stranger.clientToken);
    expect(replayed.status).toBe(403);
    expect(await replayed.text()).not.toContain(original.clientToken);
    // A second API key of the same tenant with the same key: a session of its own, not the first's.
    const { key: secondKey } = await new TenantStore(stack.db).createKey(stack.tenantId, 'second key');
    const other = await create(secondKey);
    expect(other.status).toBe(201);
    const body = (await other.json()) as { id: string; clientToken: string };
    expect(body.id).not.toBe(original.id);
    expect(body.clientToken).not.toBe(original.clientToken);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    // The first key still gets its own stored response back.
    const again = await create(stack.apiKey);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { id: string }).id).toBe(original.id);
  });

  it('reach no other session of the tenant, and cannot create sessions', async () => {
    const mine = await createSession(stack);
    const other = await createSession(stack);
    const app = as(mine.clientToken);
    expect((await getSession(app, other.id)).status).toBe(404);
    expect((await upload(app, other.id, 'ID_IMAGE', fixture('obama.jpg'))).status).toBe(404);
    const create = await fetch(`${stack.baseUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${mine.clientToken}` } });
    expect(create.status).toBe(403);
    expect(await create.json()).toMatchObject({ code: 'insufficient-scope' });
    expect(await stack.db.uploadedFile.count({ where: { sessionId: other.id } })).toBe(0);
  });

  it('are refused when expired, tampered with or signed with another secret', async () => {
    const session = await createSession(stack);
    const expired = new SessionTokens(SECRET, -1000).issue(session.id).token;
    const foreign = new SessionTokens('another-secret-entirely-0123456789abcdef', 60_000).issue(session.id).token;
    const tampered = session.clientToken.replace(/_(\d+)_/, (_m, expiry: string) => `_${Number(expiry) + 86_400}_`);
    for (const token of [expired, foreign, tampered]) {
      const res = await getSession(as(token), session.id);
      expect(res.status, token).toBe(401);
    }
  });

  it('have a rate budget each: one busy app does not throttle the others of its tenant', async () => {
    const busy = await createSession(stack);
    const calm = await createSession(stack);
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push((await getSession(as(busy.clientToken), busy.id)).status);
    expect(statuses.slice(0, LIMIT).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    expect((await getSession(as(calm.clientToken), calm.id)).status).toBe(200);
  });
});
