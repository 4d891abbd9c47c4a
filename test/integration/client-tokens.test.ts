// Session-scoped client tokens: what a mobile app holds instead of the tenant's API key. It can
// upload to and read its one session, nothing else, and has a rate budget of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../src/auth/session-token.js';
import { createSession, getSession, upload } from '../../dev/api-client.js';
import { fixture } from '../../dev/paths.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

const SECRET = 'client-token-test-secret-0123456789abcdef';
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ env: { CLIENT_TOKEN_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '12' } });
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
    expect(read.body.status).toBe('COMPLETED');
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
    for (let i = 0; i < 13; i++) statuses.push((await getSession(as(busy.clientToken), busy.id)).status);
    expect(statuses.slice(0, 12).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    expect((await getSession(as(calm.clientToken), calm.id)).status).toBe(200);
  });
});
