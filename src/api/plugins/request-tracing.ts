import { SpanKind, SpanStatusCode, context, propagation, trace, type Span } from '@opentelemetry/api';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    traceSpan?: Span;
  }
}

/**
 * A server span per request (named by the route pattern, never the ids in the path), continuing
 * a caller's W3C `traceparent`. The rest of the request runs in its context, so the workflow
 * start or signal it sends is a child span and carries the trace on into Temporal. A no-op
 * while no tracer provider is registered (tracing off).
 */
const requestTracing: FastifyPluginAsync = async (app) => {
  const tracer = trace.getTracer('kyc-face-match/api');
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const parent = propagation.extract(context.active(), request.headers);
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route, 'kyc.request_id': request.id } },
      parent,
    );
    request.traceSpan = span;
    // Everything after this hook (auth, the handler, its awaits) inherits the span's context.
    context.with(trace.setSpan(parent, span), done);
  });
  app.addHook('onError', async (request, _reply, err) => {
    request.traceSpan?.recordException(err);
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = request.traceSpan;
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
};

export const requestTracingPlugin = fp(requestTracing, { name: 'request-tracing', fastify: '5.x' });
