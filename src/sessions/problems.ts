/**
 * Every problem the API answers with, once: its stable `code`, its status and its title. The
 * OpenAPI document lists these codes, and `Problem` accepts no other.
 */
export const PROBLEM_TYPES = {
  'bad-request': { status: 400, title: 'Bad request' },
  'idempotency-key-required': { status: 400, title: 'This request needs an Idempotency-Key header' },
  'validation-error': { status: 400, title: 'The request is invalid' },
  'malformed-multipart': { status: 400, title: 'Malformed multipart body' },
  'missing-file': { status: 400, title: 'No file in the request' },
  'too-many-files': { status: 400, title: 'Exactly one file per request' },
  'too-many-parts': { status: 400, title: 'Too many parts in the multipart body' },
  'invalid-kind': { status: 400, title: 'Missing or unknown file kind' },
  'empty-file': { status: 400, title: 'The file is empty' },
  'unreadable-media': { status: 400, title: 'The file is truncated or corrupt' },
  'video-too-long': { status: 400, title: 'The video is too long' },
  'image-too-large': { status: 400, title: 'The image has too many pixels' },
  'video-too-large': { status: 400, title: 'The video is too large to decode (frame size, frame rate or frame count)' },
  unauthorized: { status: 401, title: 'Missing or invalid API key' },
  'insufficient-scope': { status: 403, title: 'This credential may not do that' },
  'session-token-expired': { status: 401, title: 'The session token is no longer valid' },
  'session-not-found': { status: 404, title: 'Session not found' },
  'file-not-found': { status: 404, title: 'No such file retained for the session' },
  'route-not-found': { status: 404, title: 'No such route' },
  'upload-too-slow': { status: 408, title: 'The upload is too slow' },
  'session-closed': { status: 409, title: 'Session no longer accepts uploads' },
  'too-many-uploads': { status: 409, title: 'This session holds the most uploads it may' },
  'not-awaiting-review': { status: 409, title: 'The session is not awaiting review' },
  'already-reviewed': { status: 409, title: 'The session was already reviewed' },
  'idempotency-key-in-use': { status: 409, title: 'A request with this Idempotency-Key is still in progress' },
  'file-too-large': { status: 413, title: 'The file is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported file content' },
  'unsupported-content-type': { status: 415, title: 'Unsupported request content type' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency-Key reused for a different request' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'internal-error': { status: 500, title: 'Internal server error' },
  'storage-quota-exceeded': { status: 507, title: "The tenant's storage quota is used up" },
  'dependency-unavailable': { status: 503, title: 'Service temporarily unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_TYPES;
export const PROBLEM_CODES = Object.keys(PROBLEM_TYPES) as ProblemCode[];

/** An RFC 9457 problem the client caused or can act on; `code` is stable, `detail` is for humans. */
export class Problem extends Error {
  readonly status: number;
  readonly title: string;

  /** `overrides`: a status other than the code's own (Fastify's 4xx), a more specific title. */
  constructor(
    readonly code: ProblemCode,
    readonly detail?: string,
    overrides: { status?: number; title?: string } = {},
  ) {
    super(detail ?? PROBLEM_TYPES[code].title);
    this.name = 'Problem';
    this.status = overrides.status ?? PROBLEM_TYPES[code].status;
    this.title = overrides.title ?? PROBLEM_TYPES[code].title;
  }
}

/** The problems several places raise, with their details worded once. */
export const problems = {
  sessionNotFound: (id: string) => new Problem('session-not-found', `no session ${id}`),
  sessionClosed: (status: string) => new Problem('session-closed', `session is ${status}`),
  emptyFile: () => new Problem('empty-file'),
  tooLarge: (maxBytes: number) => new Problem('file-too-large', `limit is ${maxBytes} bytes`),
  malformedMultipart: (detail: string) => new Problem('malformed-multipart', detail),
  validation: (detail: string) => new Problem('validation-error', detail),
  unavailable: (what: string) => new Problem('dependency-unavailable', `${what} is unreachable; retry later`),
  quotaExceeded: (bytes: number, quota: number) => new Problem('storage-quota-exceeded', `this upload would make ${bytes} bytes; the tenant's quota is ${quota} bytes`),
};
