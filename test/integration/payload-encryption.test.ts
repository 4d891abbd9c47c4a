// What Temporal stores is ciphertext: read over gRPC without the codec, a session's history
// shows no session id, file reference or verdict; the codec endpoint opens it for the UI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../../src/contract/face-similarity.js';
import { createSession, upload } from '../../dev/api-client.js';
import { fixture } from '../../dev/paths.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ uploadTimeoutMs: 60_000 });
});
afterAll(async () => {
  await stack?.stop();
});

type RawPayload = { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null };
const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');

/** Every payload of the run's history as Temporal stores it: straight from gRPC, no codec. */
async function storedPayloads(sessionId: string): Promise<RawPayload[]> {
  const { history } = await stack.workflows.client.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId: workflowIdFor(sessionId) },
  });
  const payloads: RawPayload[] = [];
  for (const event of history?.events ?? []) {
    const attrs = [
      event.workflowExecutionStartedEventAttributes?.input,
      event.workflowExecutionSignaledEventAttributes?.input,
      event.activityTaskScheduledEventAttributes?.input,
      event.activityTaskCompletedEventAttributes?.result,
      event.workflowExecutionCompletedEventAttributes?.result,
    ];
    for (const list of attrs) payloads.push(...((list?.payloads ?? []) as RawPayload[]));
  }
  return payloads;
}

describe('encrypted workflow payloads', () => {
  it('stores only ciphertext in Temporal, which the codec endpoint decodes for the UI', async () => {
    const session = await createSession(stack);
    await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'));
    await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
    await stack.outcome(session.id);

    const payloads = await storedPayloads(session.id);
    expect(payloads.length).toBeGreaterThan(6);
    for (const payload of payloads) {
      expect(Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString()).toBe('binary/encrypted');
      const bytes = Buffer.from(payload.data ?? new Uint8Array());
      expect(bytes.includes(Buffer.from(session.id)), 'the session id is not readable').toBe(false);
      expect(bytes.includes(Buffer.from('sessions/')), 'no storage key is readable').toBe(false);
      expect(bytes.includes(Buffer.from('similarity')), 'no verdict is readable').toBe(false);
    }

    // The codec endpoint, as Temporal UI calls it: CORS preflight, then decode.
    const origin = 'http://127.0.0.1:8233';
    const preflight = await fetch(`${stack.baseUrl}/codec/decode`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    const foreign = await fetch(`${stack.baseUrl}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(`${stack.baseUrl}/codec/decode`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json', 'x-namespace': 'default' },
      body: JSON.stringify({ payloads: payloads.map((p) => ({ metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data) })) }),
    });
    expect(res.status).toBe(200);
    const decoded = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    const texts = decoded.payloads.map((p) => Buffer.from(p.data, 'base64').toString());
    const encodings = new Set(decoded.payloads.map((p) => Buffer.from(p.metadata.encoding ?? '', 'base64').toString()));
    expect([...encodings].sort()).toEqual(['binary/null', 'json/plain'].filter((e) => encodings.has(e)));
    expect(encodings.has('json/plain')).toBe(true);
    expect(texts.some((t) => t.includes(session.id))).toBe(true);
    expect(texts.some((t) => t.includes('"similarity"'))).toBe(true);

    // A tampered payload is the caller's error, not the server's.
    const tampered = { ...decoded.payloads[0]!, metadata: { encoding: Buffer.from('binary/encrypted').toString('base64'), 'encryption-key-id': Buffer.from('test-2026').toString('base64') }, data: 'AAAAAAAAAAAAAAAAAAAAAAAA' };
    const bad = await fetch(`${stack.baseUrl}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payloads: [tampered] }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'validation-error' });
  });

  it('asks for CODEC_SERVER_TOKEN when one is set', async () => {
    const guarded = await startTestStack({ env: { CODEC_SERVER_TOKEN: 'codec-token-for-the-test-0123' } });
    try {
      const call = (headers: Record<string, string>) =>
        fetch(`${guarded.baseUrl}/codec/encode`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ payloads: [{ metadata: {}, data: '' }] }) });
      expect((await call({})).status).toBe(401);
      expect((await call({ authorization: 'Bearer wrong-token-of-the-same-len' })).status).toBe(401);
      const ok = await call({ authorization: 'Bearer codec-token-for-the-test-0123' });
      expect(ok.status).toBe(200);
      const { payloads } = (await ok.json()) as { payloads: { metadata: Record<string, string> }[] };
      expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    } finally {
      await guarded.stop();
    }
  });
});
