import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { z } from 'zod';
import { BlobTooLargeError, EmptyBlobError } from '../storage/blob-store.js';
import { Problem, problemBody, problems } from './problem.js';
import { sessionRoutes, type SessionRoutesDeps } from './routes/sessions.js';

export interface AppDeps extends SessionRoutesDeps {
  logger: Logger;
}

/** The Fastify app without `listen`: the server entry owns the process, tests use `inject` or port 0. */
export async function buildApp(deps: AppDeps) {
  const app = Fastify({ loggerInstance: deps.logger }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'KYC face-match API', version: '1.0.0', description: 'ID image vs selfie video face matching.' },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const largest = Math.max(...Object.values(deps.maxBytes));
  await app.register(multipart, { limits: { fileSize: largest, files: 1, fields: 4, parts: 5 } });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const problem = toProblem(err);
    if (problem.status >= 500) request.log.error({ err }, 'request failed');
    reply.code(problem.status).type('application/problem+json').send(problemBody(problem, request.url));
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = new Problem(404, 'route-not-found', 'No such route', `${request.method} ${request.url}`);
    reply.code(404).type('application/problem+json').send(problemBody(problem, request.url));
  });

  app.get('/healthz', { schema: { hide: true, response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({
    status: 'ok' as const,
  }));
  await app.register(sessionRoutes, deps);
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

function toProblem(err: FastifyError): Problem {
  if (err instanceof Problem) return err;
  if (err instanceof BlobTooLargeError) return problems.tooLarge(err.maxBytes);
  if (err instanceof EmptyBlobError) return problems.emptyFile();
  if (hasZodFastifySchemaValidationErrors(err)) return problems.validation(err.message);
  switch (err.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new Problem(413, 'file-too-large', 'The file is too large', err.message);
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new Problem(400, 'too-many-parts', 'Too many parts in the multipart body', 'send exactly one file');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_MP_PREMATURE_CLOSE':
    case 'FST_PROTO_VIOLATION':
      return problems.malformedMultipart(err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new Problem(415, 'unsupported-content-type', 'Unsupported request content type', err.message);
    default:
      break;
  }
  if (/multipart|boundary|Unexpected end of form/i.test(err.message)) return problems.malformedMultipart(err.message);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new Problem(err.statusCode, 'bad-request', 'Bad request', err.message);
  }
  return new Problem(500, 'internal-error', 'Internal server error');
}
