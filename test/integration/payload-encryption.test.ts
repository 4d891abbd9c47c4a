// What Temporal stores is ciphertext: read over gRPC without the codec, a session's history
// shows no session id, file reference or verdict. The codec listener opens it for operators who
// hold a token with the right scope, as the Temporal CLI and UI call it; a payload forged in
// clear is refused.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildCodecApp } from '../../src/api/codec-app.js';
import { fileUploadedSignal, progressQuery, workflowIdFor, type FileRef } from '../../src/contract/face-similarity.js';
import { OperatorTokenStore } from '../../src/db/operator-token-store.js';
import { REPO_ROOT } from '../../src/runtime/app-root.js';
import { payloadKeyring } from '../../src/runtime/compose.js';
import { AesGcmPayloadCodec } from '../../src/temporal/payload-codec.js';
import { createSession, upload } from '../../dev/api-client.js';
import { quietLogger, testConfig } from '../../dev/face-pipeline.js';
import { fixture } from '../../dev/paths.js';
import { findTemporalCli } from '../../dev/stack/temporal-dev-server.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

let stack: TestStack;
let codec: Awaited<ReturnType<typeof buildCodecApp>>;
let codecUrl: string;
let operators: OperatorTokenStore;
beforeAll(async () => {
  stack = await startTestStack({ uploadTimeoutMs: 60_000 });
  operators = new OperatorTokenStore(stack.db);
  // As workers/api-server.ts serves it in production: its own listener, operator tokens.
  codec = await buildCodecApp({
    codec: new AesGcmPayloadCodec(payloadKeyring(testConfig()), { acceptPlaintext: true }),
    allowedOrigins: ['http://127.0.0.1:8233'],
    operators: (token) => operators.authenticate(token),
    logger: quietLogger(),
  });
  codecUrl = `${await codec.listen({ host: '127.0.0.1', port: 0 })}/codec`;
});
afterAll(async () => {
  await codec?.close();
  await stack?.stop();
});

type RawPayload = { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null };
const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
const asJson = (payloads: RawPayload[]) => ({ payloads: payloads.map((p) => ({ metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data) })) });

/** Every payload of the run's history as Temporal stores it: straight from gRPC, no codec. */
async function storedPayloads(sessionId: string): Promise<RawPayload[]> {
  const { history } = await stack.workflows.client.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: workflowIdFor(sessionId) } });
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
  let sessionId: string;
  let payloads: RawPayload[];
  beforeAll(async () => {
    const session = await createSession(stack);
    sessionId = session.id;
    await upload(stack, session.id, 'ID_IMAGE', fixture('obama.jpg'));
    await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
    await stack.outcome(session.id);
    payloads = await storedPayloads(session.id);
  });

  it('stores only ciphertext in Temporal', () => {
    expect(payloads.length).toBeGreaterThan(6);
    for (const payload of payloads) {
      expect(Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString()).toBe('binary/encrypted');
      const bytes = Buffer.from(payload.data ?? new Uint8Array());
      expect(bytes.includes(Buffer.from(sessionId)), 'the session id is not readable').toBe(false);
      expect(bytes.includes(Buffer.from('sessions/')), 'no storage key is readable').toBe(false);
      expect(bytes.includes(Buffer.from('similarity')), 'no verdict is readable').toBe(false);
    }
  });

  it('decodes for an operator whose token has codec:decode, and for nobody else', async () => {
    const decoder = await operators.create('alice', ['codec:decode']);
    const encoderOnly = await operators.create('bob', ['codec:encode']);
    const origin = 'http://127.0.0.1:8233';
    const preflight = await fetch(`${codecUrl}/decode`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    const foreign = await fetch(`${codecUrl}/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const call = (token?: string, body: unknown = asJson(payloads)) =>
      fetch(`${codecUrl}/decode`, { method: 'POST', headers: { origin, 'content-type': 'application/json', 'x-namespace': 'default', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    expect((await call()).status).toBe(401);
    expect((await call(`kop_000000000000_${'x'.repeat(32)}`)).status).toBe(401);
    expect((await call(encoderOnly.token)).status).toBe(403);
    expect(await operators.revoke(decoder.prefix)).toBe(true);
    expect((await call(decoder.token)).status).toBe(401);

    const { token } = await operators.create('carol', ['codec:decode']);
    const res = await call(token);
    expect(res.status).toBe(200);
    const decoded = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    const texts = decoded.payloads.map((p) => Buffer.from(p.data, 'base64').toString());
    expect(texts.some((t) => t.includes(sessionId))).toBe(true);
    expect(texts.some((t) => t.includes('"similarity"'))).toBe(true);
    // A tampered payload is the caller's error, not the server's.
    const tampered = { metadata: { encoding: Buffer.from('binary/encrypted').toString('base64'), 'encryption-key-id': Buffer.from('test-2026').toString('base64') }, data: 'AAAAAAAAAAAAAAAAAAAAAAAA' };
    const bad = await call(token, { payloads: [tampered] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'validation-error' });
  });

  it("works for the Temporal CLI with --codec-endpoint and --codec-auth, as the README's operator setup says", async () => {
    const cli = findTemporalCli(undefined, REPO_ROOT)!;
    const { token } = await operators.create('dave', ['codec:decode']);
    // Asynchronously: the codec listener answering the CLI runs in this very process.
    const show = (auth?: string) =>
      promisify(execFile)(cli, ['workflow', 'show', '--address', inject('temporalAddress'), '--workflow-id', workflowIdFor(sessionId), '--output', 'json', '--codec-endpoint', codecUrl, ...(auth ? ['--codec-auth', auth] : [])], { timeout: 30_000 }).then(
        ({ stdout, stderr }) => ({ code: 0, output: `${stdout}${stderr}` }),
        (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
      );
    const decoded = await show(`Bearer ${token}`);
    expect(decoded.code, decoded.output).toBe(0);
    expect(decoded.output).toContain(sessionId);
    const refused = await show();
    expect(refused.output).not.toContain(sessionId);
  });

  it('refuses a signal forged in clear: the workflow drops it and the session still completes on its real uploads', async () => {
    const session = await createSession(stack);
    const plain = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
    try {
      const forged: FileRef = { fileId: '00000000-0000-4000-8000-000000000001', kind: 'ID_IMAGE', storageKey: `sessions/${session.id}/ID_IMAGE/${'a'.repeat(64)}`, sha256: 'a'.repeat(64), bytes: 1, mediaType: 'image/jpeg' };
      const before = Number((await stack.metrics.registry.getSingleMetric('kyc_temporal_payloads_refused_total')?.get())?.values[0]?.value ?? 0);
      await plain.workflow.getHandle(workflowIdFor(session.id)).signal(fileUploadedSignal, forged);
      const progress = await stack.workflows.client.workflow.getHandle(workflowIdFor(session.id)).query(progressQuery);
      expect(progress.received).toEqual([]);
      const after = Number((await stack.metrics.registry.getSingleMetric('kyc_temporal_payloads_refused_total')?.get())?.values[0]?.value ?? 0);
      expect(after).toBeGreaterThan(before);
      await upload(stack, session.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'));
      await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
      expect(await stack.outcome(session.id)).toMatchObject({ status: 'COMPLETED', result: { match: true } });
    } finally {
      await plain.connection.close();
    }
  });
});
