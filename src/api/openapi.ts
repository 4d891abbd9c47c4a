import type { SwaggerOptions } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { FILE_KINDS } from '../contract/face-similarity.js';
import { PROBLEM_CODES, PROBLEM_TYPES, type ProblemCode } from '../sessions/problems.js';
import { REQUEST_EXAMPLES, RESPONSE_EXAMPLES } from './examples.js';
import { problemSchema } from './problem.js';
import { WEBHOOK_EVENT_ID, WEBHOOK_EVENT_TYPES, WEBHOOK_SIGNATURE_DOC } from './webhook-view.js';

/**
 * The OpenAPI 3.1 document: what the routes' own schemas cannot say (two bearer schemes, the
 * problem media type, the multipart body, binary media, webhooks) is added here once, so an
 * integrator can generate a client from /openapi.json (clients/typescript does, in CI).
 */

/** Per operation: which credentials it takes. */
export const SECURITY = {
  apiKey: [{ apiKey: [] }],
  apiKeyOrSessionToken: [{ apiKey: [] }, { sessionToken: [] }],
} as const satisfies Record<string, { [scheme: string]: string[] }[]>;

export const TAGS = [
  { name: 'Sessions', description: 'Create a KYC session, upload its two files, read and list sessions, erase one.' },
  { name: 'Reviews', description: 'Decisions a tenant sends to a person: the queue, the decision, the retained media. Reviewer keys only.' },
  { name: 'Health', description: 'Liveness and readiness probes for orchestrators.' },
] as const;

export type Tag = (typeof TAGS)[number]['name'];

/** The problem responses of an operation, by status (the document names each status's codes). */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, problemSchema]));
}

/** "`code` (title), ..." of the problems answered with `status`. */
function problemCodesOf(status: number): string {
  const codes = PROBLEM_CODES.filter((code) => PROBLEM_TYPES[code].status === status);
  return codes.length > 0 ? `Problem: ${codes.map((c) => `\`${c}\` (${PROBLEM_TYPES[c].title})`).join(', ')}` : 'Problem (RFC 9457)';
}

const EXAMPLE_PROBLEM: Record<number, ProblemCode> = {
  400: 'validation-error',
  401: 'unauthorized',
  403: 'insufficient-scope',
  404: 'session-not-found',
  408: 'upload-too-slow',
  409: 'session-closed',
  413: 'file-too-large',
  415: 'unsupported-media-type',
  422: 'idempotency-key-reused',
  429: 'rate-limited',
  500: 'internal-error',
  503: 'dependency-unavailable',
  507: 'storage-quota-exceeded',
};

const binary = { type: 'string', contentMediaType: 'application/octet-stream' } as const;

export const swaggerOptions: SwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'KYC face-match API',
      version: '1.0.0',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      description:
        'ID image vs selfie video face matching. Create a session, upload both files (any order), then read ' +
        'the session until its status is final, or receive the signed webhook. Every error is `application/problem+json` ' +
        '(RFC 9457) with a stable `code`: ' +
        PROBLEM_CODES.map((c) => `\`${c}\``).join(', ') +
        '. POSTs accept an `Idempotency-Key` header; responses carry `X-Request-Id`.',
    },
    // Relative: the document is served by the API it describes, wherever that runs.
    servers: [{ url: '/', description: 'the host that serves this document' }],
    tags: [...TAGS],
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'kyc_<prefix>_<secret>',
          description: "Your tenant's API key (`npm run keys -- create <tenant>`). Backend only: never ship it in an app.",
        },
        sessionToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'kst_<session>_<expiry>_<mac>',
          description: "One session's `clientToken` from `POST /v1/sessions`: uploads to and reads that session only. Give it to the app or the capture page.",
        },
      },
    },
  },
  transform: jsonSchemaTransform,
  transformObject: (document) => finishDocument(jsonSchemaTransformObject(document) as OpenApiDocument),
};

interface MediaType {
  schema?: Record<string, unknown>;
  example?: unknown;
}

interface Operation {
  operationId?: string;
  responses?: Record<string, { description?: string; content?: Record<string, MediaType> }>;
  requestBody?: unknown;
}

type OpenApiDocument = Record<string, unknown> & {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
};

/** Problem media type and examples on every error, the upload body, binary media, the webhooks. */
function finishDocument(document: OpenApiDocument): OpenApiDocument {
  for (const [route, operations] of Object.entries(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      // Any API operation can fail inside; the body is a problem like the others.
      if (route.startsWith('/v1/') && operation.responses) operation.responses['500'] = { description: '', content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } } };
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const json = response.content?.['application/json'];
        if (Number(status) >= 400 && json && isProblem(json.schema)) {
          const code = EXAMPLE_PROBLEM[Number(status)];
          const example = code ? { type: `/problems/${code}`, title: PROBLEM_TYPES[code].title, status: Number(status), code, detail: 'what went wrong, for a person' } : undefined;
          response.content = { 'application/problem+json': { ...json, ...(example ? { example } : {}) } };
        }
        const documented = RESPONSE_EXAMPLES[operation.operationId ?? '']?.[status];
        if (documented) {
          response.description = documented.description;
          const media = response.content?.['application/json'];
          if (media && documented.example !== undefined) media.example = documented.example;
        } else if (Number(status) >= 400) {
          response.description = problemCodesOf(Number(status));
        }
      }
      const body = (operation.requestBody as { content?: Record<string, MediaType> } | undefined)?.content?.['application/json'];
      const requestExample = REQUEST_EXAMPLES[operation.operationId ?? ''];
      if (body && requestExample !== undefined) body.example = requestExample;
      // A create without a body is a session without a reference: zod's optional body is not "required".
      if (operation.operationId === 'createSession' && operation.requestBody) (operation.requestBody as { required?: boolean }).required = false;
      if (operation.operationId === 'uploadSessionFile') operation.requestBody = UPLOAD_BODY;
      if (operation.operationId === 'getSessionFileContent' && operation.responses?.['200']) {
        operation.responses['200'] = {
          description: 'The file as uploaded',
          content: Object.fromEntries(['image/jpeg', 'image/png', 'image/webp', 'video/mp4', 'video/quicktime', 'video/webm'].map((type) => [type, { schema: { ...binary, contentMediaType: type } }])),
        };
      }
    }
  }
  return withoutUnusedSchemas({
    ...document,
    webhooks: Object.fromEntries(
      WEBHOOK_EVENT_TYPES.map((type) => [
        type,
        {
          post: {
            operationId: 'onSessionCompleted',
            tags: ['Sessions'],
            summary: 'A session reached a final status',
            description: WEBHOOK_SIGNATURE_DOC,
            parameters: ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'kyc-delivery-attempt'].map((name) => ({
              name,
              in: 'header',
              required: name !== 'kyc-delivery-attempt',
              schema: { type: 'string' },
              description: WEBHOOK_HEADERS[name],
            })),
            security: [],
            requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${WEBHOOK_EVENT_ID}` } } } },
            responses: { '2XX': { description: 'Received; any other answer (or none within the timeout) is retried with backoff' } },
          },
        },
      ]),
    ),
  });
}

/** The problem schema, by its shape: other error bodies (readiness's 503) stay JSON. */
function isProblem(schema: Record<string, unknown> | undefined): boolean {
  if (schema?.$ref === '#/components/schemas/Problem') return true;
  const properties = schema?.properties as Record<string, unknown> | undefined;
  return Boolean(properties && 'code' in properties && 'title' in properties && 'type' in properties);
}

/** zod's registry emits an input and an output form of each named schema; only those referenced stay. */
function withoutUnusedSchemas(document: OpenApiDocument): OpenApiDocument {
  const schemas = { ...document.components?.schemas };
  for (;;) {
    const text = JSON.stringify({ ...document, components: { ...document.components, schemas } });
    const unused = Object.keys(schemas).filter((name) => !text.includes(`"#/components/schemas/${name}"`));
    if (unused.length === 0) return { ...document, components: { ...document.components, schemas } };
    for (const name of unused) delete schemas[name];
  }
}

const WEBHOOK_HEADERS: Record<string, string> = {
  'webhook-id': 'The delivery id: the same on every retry of one delivery (deduplicate by it). Also `deliveryId` in the body.',
  'webhook-timestamp': 'Unix seconds when this attempt was signed; refuse one more than 5 minutes from your clock.',
  'webhook-signature': 'Space-separated `v1,<base64 HMAC-SHA256>` signatures of `<webhook-id>.<webhook-timestamp>.<body>`: one per valid secret (two during a rotation).',
  'kyc-delivery-attempt': 'Which attempt this is, from 1.',
};

const UPLOAD_BODY = {
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['file'],
        properties: {
          kind: { type: 'string', enum: [...FILE_KINDS], description: 'Which file this is, unless the `kind` query parameter says; send it before the file part' },
          file: { ...binary, description: 'ID image (JPEG, PNG, WebP) or selfie video (MP4/MOV, WebM); the type is judged from the bytes' },
        },
      },
      encoding: { file: { contentType: 'image/jpeg, image/png, image/webp, video/mp4, video/quicktime, video/webm' } },
    },
  },
};
