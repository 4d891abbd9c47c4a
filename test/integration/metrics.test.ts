// What an operator's Prometheus scrapes: API requests, uploads, comparisons by stage, claims,
// sessions by outcome; workers serve the same registry on their own port.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveMetrics } from '../../src/observability/metrics.js';
import { freePort } from '../../dev/stack/ephemeral-infra.js';
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

/** The value of one series in Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => have.includes(`${k}="${v}"`))) return Number(match[3]);
  }
  return undefined;
}

it('counts requests by route, uploads, comparison stages, claims and outcomes', async () => {
  const session = await createSession(stack);
  await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'));
  await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
  await stack.outcome(session.id);
  await getSession(stack, session.id);

  // Never on the public listener: an operator scrapes it on its own port (METRICS_PORT).
  expect((await fetch(`${stack.baseUrl}/metrics`)).status).toBe(404);
  const text = await stack.metrics.registry.metrics();
  expect(sample(text, 'kyc_http_requests_total', { route: '/v1/sessions/:id/files', method: 'POST', status: '201' })).toBeGreaterThanOrEqual(2);
  expect(sample(text, 'kyc_http_request_duration_seconds_count', { route: '/v1/sessions', method: 'POST' })).toBeGreaterThanOrEqual(1);
  expect(sample(text, 'kyc_uploaded_bytes_total', { kind: 'SELFIE_VIDEO' })).toBeGreaterThan(100_000);
  expect(sample(text, 'kyc_comparison_duration_seconds_count', { stage: 'detect' })).toBeGreaterThanOrEqual(1);
  expect(sample(text, 'kyc_comparison_duration_seconds_count', { stage: 'total' })).toBeGreaterThanOrEqual(1);
  expect(sample(text, 'kyc_comparison_claims_total', { outcome: 'claimed' })).toBeGreaterThanOrEqual(1);
  expect(sample(text, 'kyc_inference_runs_total', { result: 'completed' })).toBeGreaterThanOrEqual(1);
  expect(sample(text, 'kyc_gpu_schedule_to_start_seconds_count')).toBeGreaterThanOrEqual(1);
  expect(sample(text, 'kyc_sessions_total', { outcome: 'COMPLETED' })).toBeGreaterThanOrEqual(1);
  // Labels are route patterns: no session id ever becomes a series.
  expect(text).not.toContain(session.id);
});

it("serves a process's registry on a port of its own", async () => {
  const port = await freePort();
  const server = await serveMetrics(stack.metrics.registry, port, '127.0.0.1');
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('kyc_process_');
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  } finally {
    server.close();
  }
});
