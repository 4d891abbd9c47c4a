import { z } from 'zod';

/** An RFC 9457 problem the client caused or can act on; `code` is stable, `detail` is for humans. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
  ) {
    super(detail ?? title);
    this.name = 'Problem';
  }
}

export const problemSchema = z
  .object({
    type: z.string().describe('URI reference naming the problem type; stable per `code`'),
    title: z.string(),
    status: z.number().int(),
    code: z.string().describe('Stable machine-readable error code'),
    detail: z.string().optional(),
    instance: z.string().optional(),
  })
  .describe('RFC 9457 problem details');

export type ProblemBody = z.infer<typeof problemSchema>;

export function problemBody(problem: Problem, instance?: string): ProblemBody {
  return {
    type: `/problems/${problem.code}`,
    title: problem.title,
    status: problem.status,
    code: problem.code,
    ...(problem.detail ? { detail: problem.detail } : {}),
    ...(instance ? { instance } : {}),
  };
}

export const problems = {
  sessionNotFound: (id: string) => new Problem(404, 'session-not-found', 'Session not found', `no session ${id}`),
  sessionClosed: (status: string) =>
    new Problem(409, 'session-closed', 'Session no longer accepts uploads', `session is ${status}`),
  missingFile: () => new Problem(400, 'missing-file', 'No file in the request', 'send one multipart part named "file"'),
  invalidKind: (value: string | undefined) =>
    new Problem(400, 'invalid-kind', 'Missing or unknown file kind', `kind must be ID_IMAGE or SELFIE_VIDEO, got ${value ?? 'nothing'}`),
  emptyFile: () => new Problem(400, 'empty-file', 'The file is empty'),
  unsupportedMedia: (kind: string, found: string | undefined) =>
    new Problem(415, 'unsupported-media-type', 'Unsupported file content', `${kind} content not accepted (${found ?? 'unrecognised bytes'})`),
  tooLarge: (maxBytes: number) => new Problem(413, 'file-too-large', 'The file is too large', `limit is ${maxBytes} bytes`),
  malformedMultipart: (detail: string) => new Problem(400, 'malformed-multipart', 'Malformed multipart body', detail),
  validation: (detail: string) => new Problem(400, 'validation-error', 'The request is invalid', detail),
  unavailable: (what: string) => new Problem(503, 'dependency-unavailable', 'Service temporarily unavailable', `${what} is unreachable; retry later`),
};

/** Every problem `code` the API can answer with, listed in the OpenAPI document. */
export const PROBLEM_CODES = [
  'validation-error', 'unauthorized', 'rate-limited', 'route-not-found', 'session-not-found', 'session-closed',
  'missing-file', 'invalid-kind', 'empty-file', 'unreadable-media', 'video-too-long', 'image-too-large', 'unsupported-media-type',
  'unsupported-content-type', 'file-too-large', 'malformed-multipart', 'too-many-files', 'too-many-parts',
  'idempotency-key-in-use', 'idempotency-key-reused', 'upload-too-slow', 'too-many-uploads', 'dependency-unavailable', 'internal-error',
] as const;
