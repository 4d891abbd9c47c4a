import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The service's Prometheus metrics (prom-client; docs/operate.md "Metrics" lists each), made once per
 * process by its composition root and handed to whoever counts something: no module-level
 * registry, so two stacks in one test process never count into each other.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kyc_process_' });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({ name: 'kyc_http_requests_total', help: 'API requests by route pattern, method and status', labelNames: ['route', 'method', 'status'] as const, registers }),
    httpDuration: new Histogram({
      name: 'kyc_http_request_duration_seconds',
      help: 'API request latency by route pattern',
      labelNames: ['route', 'method'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    authFailures: new Counter({ name: 'kyc_auth_failures_total', help: 'Refused credentials by reason', labelNames: ['reason'] as const, registers }),
    uploadedBytes: new Counter({ name: 'kyc_uploaded_bytes_total', help: 'Bytes of accepted uploads by kind', labelNames: ['kind'] as const, registers }),
    sessions: new Counter({ name: 'kyc_sessions_total', help: 'Sessions ended, by outcome and reason (as recorded after verification)', labelNames: ['outcome', 'reason'] as const, registers }),
    comparisonDuration: new Histogram({
      name: 'kyc_comparison_duration_seconds',
      help: 'Face comparison time by stage (decode, detect, align, embed, liveness) and in total',
      labelNames: ['stage'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers,
    }),
    inferences: new Counter({ name: 'kyc_inference_runs_total', help: 'Comparisons that ran the models, by result', labelNames: ['result'] as const, registers }),
    claims: new Counter({
      name: 'kyc_comparison_claims_total',
      help: 'Claim outcomes of the exactly-once protocol: claimed, completed (stored result returned), rejected, held, over-budget',
      labelNames: ['outcome'] as const,
      registers,
    }),
    leaseTakeovers: new Counter({ name: 'kyc_comparison_lease_takeovers_total', help: 'Claims taken over from an attempt whose lease expired', registers }),
    scheduleToStart: new Histogram({
      name: 'kyc_gpu_schedule_to_start_seconds',
      help: 'Time a comparison waited on the GPU task queue before a worker started it',
      buckets: [0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
      registers,
    }),
    webhooks: new Counter({ name: 'kyc_webhook_deliveries_total', help: 'Webhook delivery attempts by result', labelNames: ['result'] as const, registers }),
    refusedPayloads: new Counter({ name: 'kyc_temporal_payloads_refused_total', help: 'Temporal payloads refused for not being encrypted (forged in clear)', registers }),
    planarityInlineFits: new Counter({ name: 'kyc_planarity_inline_fits_total', help: 'Planarity fits done on the main thread because the planarity thread failed (slower; the results are the same)', registers }),
    reviewDecisions: new Counter({ name: 'kyc_review_decisions_total', help: 'Reviewed sessions decided, by decision (APPROVE, REJECT) and by whom (reviewer, timeout-policy)', labelNames: ['decision', 'decided_by'] as const, registers }),
    reviewBacklog: new Gauge({ name: 'kyc_reviews', help: 'Sessions awaiting review (state=waiting), and those past their tenant\'s service level (state=overdue); read from Postgres at each scrape', labelNames: ['state'] as const, registers }),
    reviewOldestAge: new Gauge({ name: 'kyc_review_oldest_age_seconds', help: 'Age of the oldest session awaiting review; read from Postgres at each scrape', registers }),
    decoderSandbox: new Counter({ name: 'kyc_decoder_runs_total', help: 'Decoder processes started, by sandbox (bwrap, none)', labelNames: ['sandbox'] as const, registers }),
  };
}

export type ServiceMetrics = ReturnType<typeof createMetrics>;

/** Serves `registry` at /metrics on its own listener: never the public one (docs/operate.md "Metrics"). */
export async function serveMetrics(registry: Registry, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}
