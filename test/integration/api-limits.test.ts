// Abuse limits that hold behind a TLS proxy and across replicas: request budgets are kept in
// Postgres and keyed by the verified credential, the client's address comes from X-Forwarded-For
// only through trusted proxies, a noisy address cannot lock a good credential out, and /readyz
// answers a flood from one check a second.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/api/app.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { composeApi } from '../../src/runtime/compose.js';
import { quietLogger, testConfig } from '../../dev/face-pipeline.js';
import { newTenantWithKey } from '../../dev/tenants.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

let stack: TestStack;
const apps: App[] = [];
beforeAll(async () => {
  stack = await startTestStack({ uploadTimeoutMs: 60_000 });
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await stack?.stop();
});

/** One more API replica on the stack's database and Temporal, as a second process would be. */
async function replica(env: Record<string, string>, readiness?: () => Promise<Record<string, boolean>>): Promise<string> {
  const deps = composeApi({ config: testConfig(env), db: stack.db, blobs: stack.blobs, logger: quietLogger(), metrics: createMetrics(), workflows: stack.workflows });
  const app = await buildApp({ ...deps, ...(readiness ? { readiness } : {}) });
  apps.push(app);
  return app.listen({ host: '127.0.0.1', port: 0 });
}

const read = (base: string, key: string, headers: Record<string, string> = {}) => fetch(`${base}/v1/sessions/00000000-0000-4000-8000-000000000000`, { headers: { authorization: `Bearer ${key}`, ...headers } });

describe('request budgets', () => {
  it('hold across two replicas: one budget per credential for the whole service, not one each', async () => {
    const env = { RATE_LIMIT_PER_MINUTE: '10' };
    const [a, b] = [await replica(env), await replica(env)];
    const { apiKey } = await newTenantWithKey(stack.db, 'limits');
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await read(i % 2 === 0 ? a : b, apiKey)).status);
    expect(statuses.every((s) => s === 404)).toBe(true);
    const over = await read(b, apiKey);
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({ code: 'rate-limited' });
    // Another credential has its own budget.
    expect((await read(a, (await newTenantWithKey(stack.db, 'limits-other')).apiKey)).status).toBe(404);
  });
});

describe('behind a proxy', () => {
  it("takes the client's address from X-Forwarded-For only through a trusted proxy", async () => {
    const env = { AUTH_FAILURES_PER_MINUTE: '3' };
    const trusting = await replica({ ...env, TRUST_PROXY: '127.0.0.1/32' });
    const untrusting = await replica(env);
    const bad = 'kyc_000000000000_' + 'x'.repeat(32);
    // Through the trusted proxy, two clients: each its own failure budget.
    for (let i = 0; i < 3; i++) expect((await read(trusting, bad, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(401);
    expect((await read(trusting, bad, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(429);
    expect((await read(trusting, bad, { 'x-forwarded-for': '198.51.100.9' })).status).toBe(401);
    // Not trusted: the header is the client's word, and ignored: one address, one budget.
    for (let i = 0; i < 3; i++) expect((await read(untrusting, bad, { 'x-forwarded-for': `192.0.2.${i}` })).status).toBe(401);
    expect((await read(untrusting, bad, { 'x-forwarded-for': '192.0.2.200' })).status).toBe(429);
  });

  it('never locks a good credential out because others fail from the same address', async () => {
    const app = await replica({ AUTH_FAILURES_PER_MINUTE: '3' });
    const { apiKey } = await newTenantWithKey(stack.db, 'shared-nat');
    const bad = 'kyc_000000000000_' + 'y'.repeat(32);
    for (let i = 0; i < 10; i++) await read(app, bad);
    expect((await read(app, bad)).status).toBe(429);
    expect((await read(app, apiKey)).status).toBe(404);
  });
});

describe('/readyz', () => {
  it('answers a flood from at most one check a second', async () => {
    let checks = 0;
    const app = await replica({}, async () => {
      checks++;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { database: true, temporal: true };
    });
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${app}/readyz`).then((r) => r.status)));
    expect(answers.every((s) => s === 200)).toBe(true);
    expect(checks).toBe(1);
  });

  it('keeps /metrics off the public listener', async () => {
    expect((await fetch(`${stack.baseUrl}/metrics`)).status).toBe(404);
  });
});
