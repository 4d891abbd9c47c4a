import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanExporter, type SpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';

/** The workflow-side OpenTelemetry interceptors, bundled into every workflow bundle (tracing on or off). */
export const WORKFLOW_TRACING_INTERCEPTORS = createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export interface Tracing {
  /** Where workflow spans go (through the `exporter` sink), as activity and API spans do. */
  spanProcessor: SpanProcessor;
  resource: Resource;
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** OTLP/HTTP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or ..._TRACES_ENDPOINT); unset: tracing off. */
  otlpEndpoint?: string;
  /** Instead of OTLP (tests): spans go to this exporter as they end. */
  exporter?: SpanExporter;
}

/**
 * Registers the process's tracer provider when an exporter is configured: the API's request
 * spans, Temporal's client, workflow and activity interceptors all report to it, and trace
 * context travels in Temporal headers, so one trace spans the processes. Off (no endpoint), the
 * OpenTelemetry API stays the no-op it is by default and nothing is exported.
 */
export function installTracing(serviceName: string, options: TracingOptions): Tracing | undefined {
  const exporter = options.exporter ?? (options.otlpEndpoint ? new OTLPTraceExporter() : undefined);
  if (!exporter) return undefined;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: serviceName, [ATTR_SERVICE_VERSION]: process.env.npm_package_version ?? '0.1.0' });
  const spanProcessor = options.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return {
    spanProcessor,
    resource,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
    },
  };
}

/**
 * What a worker needs for tracing: activity spans, and the sink its workflows export spans
 * through. The sink is there even with tracing off (a no-op processor), because the bundled
 * workflow interceptors always call it.
 */
export function workerTracing(tracing: Tracing | undefined, workflows: 'bundle' | 'source' | 'none'): Pick<WorkerOptions, 'sinks' | 'interceptors'> {
  return {
    ...(workflows === 'none' ? {} : { sinks: { exporter: makeWorkflowExporter(tracing?.spanProcessor ?? new NoopSpanProcessor(), tracing?.resource ?? Resource.empty()) } }),
    interceptors: {
      // A prebuilt bundle has them already (workflow-bundle.ts); bundling from source adds them here.
      workflowModules: workflows === 'source' ? [WORKFLOW_TRACING_INTERCEPTORS] : [],
      activity: tracing
        ? [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })]
        : [],
    },
  };
}
