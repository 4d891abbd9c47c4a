import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';
export type { SessionCompletedEvent } from './webhooks.js';
export { signWebhookForTest, verifyWebhook, WebhookVerificationError, type WebhookVerifyOptions } from './webhooks.js';

type Schemas = components['schemas'];
/** A session as its tenant reads it (API key). */
export type Session = Schemas['Session'];
/** A session as its session token reads it (the app, the capture page). */
export type SessionForEndUser = Schemas['SessionForEndUser'];
export type SessionSummary = Schemas['SessionSummary'];
export type ErasureReceipt = Schemas['ErasureReceipt'];
export type Problem = Schemas['Problem'];
export type CreatedSession = operations['createSession']['responses'][201]['content']['application/json'];
export type UploadedFile = operations['uploadSessionFile']['responses'][201]['content']['application/json'];
export type SessionPage = operations['listSessions']['responses'][200]['content']['application/json'];
export type ListSessionsQuery = NonNullable<operations['listSessions']['parameters']['query']>;
export type FileKind = Session['files'][number]['kind'];
export type SessionStatus = Session['status'];

/** The statuses a session does not leave. */
export const FINAL_STATUSES: readonly SessionStatus[] = ['COMPLETED', 'REJECTED', 'EXPIRED', 'FAILED', 'DELETED'];

/** The API answered with an RFC 9457 problem (or, rarely, something else that is not a success). */
export class KycApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem ? `${problem.code}: ${problem.detail ?? problem.title}` : `HTTP ${status}`);
    this.name = 'KycApiError';
  }

  /** The problem's stable code (`session-not-found`, `file-too-large`, ...), when there is one. */
  get code(): Problem['code'] | undefined {
    return this.problem?.code;
  }
}

export interface KycClientOptions {
  /** Where the API is, e.g. `https://kyc.example.com`. */
  baseUrl: string;
  /** An API key (backend) or a session's `clientToken` (app): the API tells them apart. */
  token: string;
  /** Another fetch (tests, proxies); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

/** Returns the data of a success, throws KycApiError for anything else. */
function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  throw new KycApiError(result.response.status, isProblem(result.error) ? result.error : undefined);
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'code' in value && 'status' in value;
}

/**
 * A typed client of the KYC face-match API, generated from its OpenAPI document. Each method
 * returns the response body or throws KycApiError; `raw` is the underlying openapi-fetch client
 * for anything not wrapped here.
 */
export function createKycClient(options: KycClientOptions) {
  const raw: Client<paths> = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/$/, ''),
    headers: { authorization: `Bearer ${options.token}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  const client = {
    raw,

    /** Creates a session (API key only). `reference`: your own opaque id for the person or case. */
    async createSession(body: { reference?: string } = {}, request: { idempotencyKey?: string } = {}): Promise<CreatedSession> {
      return unwrap(
        await raw.POST('/v1/sessions', {
          ...(body.reference !== undefined ? { body } : {}),
          params: { header: request.idempotencyKey ? { 'idempotency-key': request.idempotencyKey } : {} },
        }),
      );
    },

    async getSession(id: string): Promise<Session | SessionForEndUser> {
      return unwrap(await raw.GET('/v1/sessions/{id}', { params: { path: { id } } }));
    },

    /** One page of the tenant's sessions, newest first; pass `nextCursor` back as `cursor`. */
    async listSessions(query: ListSessionsQuery = {}): Promise<SessionPage> {
      return unwrap(await raw.GET('/v1/sessions', { params: { query }, querySerializer: { array: { style: 'form', explode: true } } }));
    },

    /** Every session matching `query`, page by page. */
    async *allSessions(query: Omit<ListSessionsQuery, 'cursor'> = {}): AsyncGenerator<SessionSummary> {
      let cursor: string | undefined;
      do {
        const page = await client.listSessions({ ...query, ...(cursor ? { cursor } : {}) });
        yield* page.items;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    },

    /** Uploads the ID image or the selfie video (a Blob or File; in Node, `new Blob([bytes])`). */
    async uploadFile(sessionId: string, kind: FileKind, file: Blob, request: { filename?: string; idempotencyKey?: string } = {}): Promise<UploadedFile> {
      return unwrap(
        await raw.POST('/v1/sessions/{id}/files', {
          params: { path: { id: sessionId }, query: { kind }, header: request.idempotencyKey ? { 'idempotency-key': request.idempotencyKey } : {} },
          // The document types a binary part as a string; the serializer sends the Blob itself.
          body: { kind, file: file as unknown as string },
          bodySerializer: () => {
            const form = new FormData();
            form.append('kind', kind);
            form.append('file', file, request.filename ?? (kind === 'ID_IMAGE' ? 'id-image' : 'selfie-video'));
            return form;
          },
        }),
      );
    },

    /** Erases the session's media and history; the decision stays for the record (API key only). */
    async eraseSession(id: string): Promise<ErasureReceipt> {
      return unwrap(await raw.DELETE('/v1/sessions/{id}', { params: { path: { id } } }));
    },

    /** Polls until the session's status is final (prefer the webhook in production). */
    async waitForDecision(id: string, wait: { timeoutMs?: number; intervalMs?: number } = {}): Promise<Session | SessionForEndUser> {
      const deadline = Date.now() + (wait.timeoutMs ?? 120_000);
      for (;;) {
        const session = await client.getSession(id);
        if (FINAL_STATUSES.includes(session.status)) return session;
        if (Date.now() > deadline) throw new Error(`session ${id} still ${session.status} after ${wait.timeoutMs ?? 120_000} ms`);
        await new Promise((resolve) => setTimeout(resolve, wait.intervalMs ?? 500));
      }
    },
  };
  return client;
}

export type KycClient = ReturnType<typeof createKycClient>;
