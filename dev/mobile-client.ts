import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createKycClient, type FileKind, type KycClient } from '../clients/typescript/src/index.js';
import type { SessionPlan } from './chaos/mix.js';

/** Every answer of 500 or more the clients saw, with when: the run decides which were excusable. */
export interface ServerErrorSeen {
  at: number;
  status: number;
  what: string;
  body: string;
}

export interface ClientStats {
  requests: number;
  networkErrors: number;
  retries: number;
  serverErrors: ServerErrorSeen[];
  /** Uploads on the wire right now: the API is killed while some are. */
  inFlightUploads: number;
  /** Milliseconds of every answered request, by what it was (create session, upload ID_IMAGE, …). */
  latencies: Record<string, number[]>;
  /** Answers that contradict the API's contract (a bad file accepted, a repeated create giving another id). */
  contractViolations: string[];
}

export interface SessionRun {
  plan: SessionPlan;
  sessionId?: string;
  /** When the last file the session needs was accepted (client clock = server clock here). */
  lastUploadAt?: number;
  /** The status the app finally showed (GET /v1/sessions/:id). */
  decision?: string;
  /** Set when the client gave up: the session was lost before the service could decide it. */
  gaveUp?: string;
}

/** An answer as text, whether openapi-fetch read it as data (2xx) or as an error body. */
function answered(result: { data?: unknown; error?: unknown; response: Response }): { status: number; text: string } {
  const body = result.data ?? result.error;
  return { status: result.response.status, text: typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body) };
}

const RETRY_DEADLINE_MS = 180_000;
const DECISION_DEADLINE_MS = 600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A mobile app against the API, through the typed client (clients/typescript): retries what a phone retries (no connection, 5xx, 429, an
 * Idempotency-Key still in use), with backoff and jitter, for up to three minutes.
 */
export class MobileClient {
  readonly stats: ClientStats = { requests: 0, networkErrors: 0, retries: 0, serverErrors: [], inFlightUploads: 0, latencies: {}, contractViolations: [] };
  private readonly files = new Map<string, Buffer>();

  private readonly client: KycClient;

  constructor(
    baseUrl: string,
    apiKey: string,
    private readonly random: () => number,
  ) {
    this.client = createKycClient({ baseUrl, token: apiKey });
  }

  async run(plan: SessionPlan, garbage: string): Promise<SessionRun> {
    const run: SessionRun = { plan };
    try {
      const key = randomUUID();
      const created = await this.send('create session', () => this.create(key));
      if (created.status !== 201 && created.status !== 200) throw new Error(`create session: HTTP ${created.status} ${created.text}`);
      run.sessionId = (JSON.parse(created.text) as { id: string }).id;
      if (plan.repeatCreate) {
        const again = await this.send('repeat create', () => this.create(key));
        const againId = (JSON.parse(again.text) as { id?: string }).id;
        if (againId !== run.sessionId) this.stats.contractViolations.push(`repeated create with one Idempotency-Key gave ${againId} after ${run.sessionId}`);
      }
      if (plan.badUploadFirst) {
        const bad = await this.upload(run.sessionId, 'SELFIE_VIDEO', garbage);
        if (bad.status < 400 || bad.status >= 500) this.stats.contractViolations.push(`a text file as SELFIE_VIDEO got HTTP ${bad.status}`);
      }
      const id = { kind: 'ID_IMAGE', file: plan.idImage };
      const files = plan.pair ? [id, { kind: 'SELFIE_VIDEO', file: plan.pair.video }] : [id];
      if (plan.pair && plan.videoFirst) files.reverse();
      for (const [i, f] of files.entries()) {
        const res = await this.upload(run.sessionId, f.kind, f.file);
        if (res.status !== 201 && res.status !== 200) throw new Error(`upload ${f.kind}: HTTP ${res.status} ${res.text}`);
        if (i === 0 && plan.duplicateUpload) {
          const dup = await this.upload(run.sessionId, f.kind, f.file);
          if (dup.status !== 200 || !(JSON.parse(dup.text) as { duplicate?: boolean }).duplicate) {
            this.stats.contractViolations.push(`a duplicate ${f.kind} upload got HTTP ${dup.status} ${dup.text.slice(0, 120)}`);
          }
        }
      }
      run.lastUploadAt = Date.now();
      // The app shows a result screen: it polls until the decision, unless it was abandoned.
      if (plan.pair) run.decision = await this.waitForDecision(run.sessionId);
    } catch (err) {
      run.gaveUp = (err as Error).message;
    }
    return run;
  }

  private async waitForDecision(sessionId: string): Promise<string> {
    const deadline = Date.now() + DECISION_DEADLINE_MS;
    for (;;) {
      const res = await this.send('poll session', () => this.get(sessionId));
      const status = res.status === 200 ? (JSON.parse(res.text) as { status: string }).status : `HTTP ${res.status}`;
      if (!['AWAITING_FILES', 'PROCESSING'].includes(status)) return status;
      if (Date.now() > deadline) throw new Error(`no decision within ${DECISION_DEADLINE_MS} ms (still ${status})`);
      await sleep(1000);
    }
  }

  private async get(sessionId: string): Promise<{ status: number; text: string }> {
    return answered(await this.client.raw.GET('/v1/sessions/{id}', { params: { path: { id: sessionId } }, parseAs: 'text', signal: AbortSignal.timeout(30_000) }));
  }

  private async upload(sessionId: string, kind: string, file: string) {
    const bytes = this.files.get(file) ?? (await readFile(file));
    this.files.set(file, bytes);
    return this.send(`upload ${kind}`, async () => {
      this.stats.inFlightUploads++;
      try {
        return answered(
          await this.client.raw.POST('/v1/sessions/{id}/files', {
            params: { path: { id: sessionId }, query: { kind: kind as FileKind } },
            body: { file: path.basename(file) },
            bodySerializer: () => {
              const form = new FormData();
              form.append('file', new Blob([bytes]), path.basename(file));
              return form;
            },
            parseAs: 'text',
            signal: AbortSignal.timeout(60_000),
          }),
        );
      } finally {
        this.stats.inFlightUploads--;
      }
    });
  }

  private async create(idempotencyKey: string): Promise<{ status: number; text: string }> {
    return answered(await this.client.raw.POST('/v1/sessions', { params: { header: { 'idempotency-key': idempotencyKey } }, parseAs: 'text', signal: AbortSignal.timeout(60_000) }));
  }

  /** One logical request, retried as a phone would until it gets an answer that is not transient. */
  private async send(what: string, attempt: () => Promise<{ status: number; text: string }>) {
    const deadline = Date.now() + RETRY_DEADLINE_MS;
    for (let n = 0; ; n++) {
      this.stats.requests++;
      let transient: string;
      try {
        const sent = performance.now();
        const res = await attempt();
        (this.stats.latencies[what] ??= []).push(performance.now() - sent);
        if (res.status >= 500) this.stats.serverErrors.push({ at: Date.now(), status: res.status, what, body: res.text.slice(0, 300) });
        const inUse = res.status === 409 && res.text.includes('idempotency-key-in-use');
        if (res.status < 500 && res.status !== 429 && !inUse) return res;
        transient = `HTTP ${res.status}`;
      } catch (err) {
        this.stats.networkErrors++;
        transient = (err as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`${what}: gave up after ${n + 1} attempts (${transient})`);
      this.stats.retries++;
      await sleep(Math.min(4000, 250 * 2 ** n) * (0.5 + this.random()));
    }
  }
}
