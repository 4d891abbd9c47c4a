import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError } from 'fastify';
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Db } from '../db/prisma.js';
import type { FileKind } from '../contract/face-similarity.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import type { Authenticator } from '../sessions/authenticator.js';
import type { SessionsService } from '../sessions/sessions-service.js';
import type { ReviewsService } from '../sessions/reviews-service.js';
import { BlobTooLargeError, EmptyBlobError } from '../storage/blob-store.js';
import { unavailableDependency } from './dependency-errors.js';
import { authenticate } from './plugins/authentication.js';
import { idempotencyPlugin, type IdempotencyPluginOptions } from './plugins/idempotency.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { cachedReadiness } from './plugins/readiness.js';
import { requestTracingPlugin } from './plugins/request-tracing.js';
import { swaggerOptions } from './openapi.js';
import { Problem, problemBody, problems } from './problem.js';
import { capturePageRoutes } from './routes/capture-page.js';
import { reviewPageRoutes } from './routes/review-page.js';
import { reviewRoutes } from './routes/reviews.js';
import { sessionRoutes } from './routes/sessions.js';

export interface AppDeps {
  logger: Logger;
  db: Db;
  sessions: SessionsService;
  reviews: ReviewsService;
  authenticator: Authenticator;
  metrics: ServiceMetrics;
  idempotency: Omit<IdempotencyPluginOptions, 'db'>;
  timeouts: { headersMs: number; idleMs: number; requestMs: number };
  maxBytes: Record<FileKind, number>;
  rateLimitPerMinute: number;
  authFailuresPerMinute: number;
  /** Proxies (addresses, CIDRs) whose X-Forwarded-For is believed; none: the socket's address is the client's. */
  trustProxy: string[];
  /** Whether each dependency answers, for /readyz. */
  readiness: () => Promise<Record<string, boolean>>;
}

/** Letters, digits and `._:-`, at most 64: enough for a UUID or a trace id, nothing to inject. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The public Fastify app without `listen`: the server entry owns the process, tests use `inject` or port 0. */
export async function buildApp(deps: AppDeps) {
  const app = Fastify({
    loggerInstance: deps.logger,
    trustProxy: deps.trustProxy.length > 0 ? deps.trustProxy : false,
    // A slow client must not hold sockets: no byte for idleMs closes the connection, a request
    // must be complete within requestMs, keep-alive sockets are not kept for long.
    connectionTimeout: deps.timeouts.idleMs,
    requestTimeout: deps.timeouts.requestMs,
    keepAliveTimeout: 5_000,
    // A client's X-Request-Id is kept (and echoed) so one upload can be followed end to end, but
    // only a short, plain one: it lands in logs, workflow memos and signals.
    requestIdHeader: false,
    genReqId: (request) => {
      const id = request.headers['x-request-id'];
      return typeof id === 'string' && CLIENT_REQUEST_ID.test(id) ? id : randomUUID();
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.server.headersTimeout = deps.timeouts.headersMs;
  await app.register(requestTracingPlugin);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Route patterns, not URLs, as labels: one series per route, whatever the session ids.
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpRequests.inc({ route, method: request.method, status: String(reply.statusCode) });
    deps.metrics.httpDuration.observe({ route, method: request.method }, reply.elapsedTime / 1000);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, swaggerOptions);
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(rateLimitPlugin, { db: deps.db, perMinute: deps.rateLimitPerMinute });
  const largest = Math.max(...Object.values(deps.maxBytes));
  // files: 2 so that a second file reaches the route and gets its own answer instead of being dropped.
  await app.register(multipart, { limits: { fileSize: largest, files: 2, fields: 4, parts: 6 } });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const problem = toProblem(err);
    if (problem.status >= 500) request.log.error({ err }, 'request failed');
    // A dependency restarting is back in seconds: say when to retry.
    if (problem.status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '2');
    // Refused uploads are not read to the end: close the connection instead of draining the body.
    if (problem.status === 408 || problem.status === 413 || problem.status === 415) reply.header('connection', 'close');
    reply.code(problem.status).type('application/problem+json').send(problemBody(problem, request.url));
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = new Problem('route-not-found', `${request.method} ${request.url}`);
    reply.code(404).type('application/problem+json').send(problemBody(problem, request.url));
  });

  app.get('/healthz', { schema: { operationId: 'healthz', tags: ['Health'], summary: 'The process is up', security: [], response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({ status: 'ok' as const }));
  const readySchema = z.object({ status: z.enum(['ready', 'unavailable']), checks: z.record(z.string(), z.boolean()) });
  // Asked at most once a second whatever the flood: each check is a database and a Temporal round trip.
  const readiness = cachedReadiness(deps.readiness, 1000);
  app.get('/readyz', { schema: { operationId: 'readyz', tags: ['Health'], summary: 'The database and Temporal answer', security: [], response: { 200: readySchema, 503: readySchema } } }, async (_request, reply) => {
    const checks = await readiness();
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
  });
  await app.register(reviewPageRoutes);
  await app.register(capturePageRoutes);
  await app.register(idempotencyPlugin, { db: deps.db, ...deps.idempotency });
  await app.register(async (scope) => {
    scope.addHook('onRequest', authenticate(deps.authenticator, deps.authFailuresPerMinute, deps.metrics));
    await scope.register(sessionRoutes, { sessions: deps.sessions });
    await scope.register(reviewRoutes, { reviews: deps.reviews });
  });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

function toProblem(err: FastifyError): Problem {
  if (err instanceof Problem) return err;
  const down = unavailableDependency(err);
  if (down) return problems.unavailable(down);
  if (err instanceof BlobTooLargeError) return problems.tooLarge(err.maxBytes);
  if (err instanceof EmptyBlobError) return problems.emptyFile();
  if (hasZodFastifySchemaValidationErrors(err)) return problems.validation(err.message);
  switch (err.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new Problem('file-too-large', err.message);
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new Problem('too-many-parts', 'send exactly one file');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_MP_PREMATURE_CLOSE':
    case 'FST_PROTO_VIOLATION':
      return problems.malformedMultipart(err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new Problem('unsupported-content-type', err.message);
    default:
      break;
  }
  if (/multipart|boundary|Unexpected end of form/i.test(err.message)) return problems.malformedMultipart(err.message);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new Problem('bad-request', err.message, { status: err.statusCode });
  return new Problem('internal-error');
}
