import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upload } from '../../dev/api-client.js';
import { fixture } from '../../dev/paths.js';
import { installTracing, type Tracing } from '../../src/observability/tracing.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

// This file's own worker process: the tracer provider it registers is seen by no other test file.
const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let stack: TestStack;

beforeAll(async () => {
  tracing = installTracing('kyc-trace-test', { exporter })!;
  stack = await startTestStack({ tracing });
});

afterAll(async () => {
  await stack?.stop();
  await tracing?.shutdown();
});

const spanId = (s: ReadableSpan) => s.spanContext().spanId;
const parentOf = (spans: ReadableSpan[], s: ReadableSpan) => spans.find((p) => spanId(p) === s.parentSpanId);
/** The names from a span up to its trace's root. */
const ancestry = (spans: ReadableSpan[], s: ReadableSpan): string[] => {
  const names = [s.name];
  for (let p = parentOf(spans, s); p; p = parentOf(spans, p)) names.push(p.name);
  return names;
};

describe('OpenTelemetry traces', () => {
  it('follows a session from its HTTP requests through the workflow and each activity', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await fetch(`${stack.baseUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, traceparent } });
    const session = (await res.json()) as { id: string };
    expect((await upload(stack, session.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'))).status).toBe(201);
    expect((await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'))).status).toBe(201);
    expect((await stack.outcome(session.id)).status).toBe('COMPLETED');
    await tracing.spanProcessor.forceFlush();
    const spans = exporter.getFinishedSpans();

    // The create request continues the caller's trace; the workflow run and every activity hang below it.
    const create = spans.find((s) => s.name === 'POST /v1/sessions' && s.spanContext().traceId === '0af7651916cd43dd8448eb211c80319c');
    expect(create, 'the create request span, in the caller\'s trace').toBeDefined();
    expect(create!.parentSpanId).toBe('b7ad6b7169203331');
    const inTrace = spans.filter((s) => s.spanContext().traceId === create!.spanContext().traceId);
    const compare = inTrace.find((s) => s.name === 'RunActivity:compareFaces');
    expect(compare, 'the GPU activity in the session\'s trace').toBeDefined();
    expect(ancestry(inTrace, compare!)).toEqual([
      'RunActivity:compareFaces',
      'StartActivity:compareFaces',
      'RunWorkflow:faceSimilarityWorkflow',
      'StartWorkflow:faceSimilarityWorkflow',
      'POST /v1/sessions',
    ]);
    // Every bookkeeping activity is there, under the run: a missing one fails, not skips.
    for (const activity of ['markSessionProcessing', 'recordSessionOutcome', 'deliverWebhook']) {
      const started = inTrace.find((s) => s.name === `StartActivity:${activity}`);
      expect(started, `StartActivity:${activity} in the session's trace`).toBeDefined();
      expect(ancestry(inTrace, started!).slice(1)).toEqual(['RunWorkflow:faceSimilarityWorkflow', 'StartWorkflow:faceSimilarityWorkflow', 'POST /v1/sessions']);
    }
    expect(inTrace.some((s) => s.name === 'RunActivity:recordSessionOutcome')).toBe(true);

    // Each upload is a trace of its own: the request, its signal, and the workflow handling it.
    const uploads = spans.filter((s) => s.name === 'POST /v1/sessions/:id/files');
    expect(uploads).toHaveLength(2);
    for (const request of uploads) {
      const own = spans.filter((s) => s.spanContext().traceId === request.spanContext().traceId);
      const handled = own.find((s) => s.name === 'HandleSignal:fileUploaded');
      expect(handled, 'the workflow handling the upload signal').toBeDefined();
      expect(ancestry(own, handled!)).toEqual(['HandleSignal:fileUploaded', 'SignalWithStartWorkflow:faceSimilarityWorkflow', 'POST /v1/sessions/:id/files']);
      expect(request.attributes['http.response.status_code']).toBe(201);
    }
    // Spans name routes, never session ids.
    expect(spans.every((s) => !s.name.includes(session.id))).toBe(true);
  });
});
