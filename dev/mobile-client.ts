import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
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

const RETRY_DEADLINE_MS = 180_000;
const DECISION_DEADLINE_MS = 600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A mobile app against the API: retries what a phone retries (no connection, 5xx, 429, an
 * Idempotency-Key still in use), with backoff and jitter, for up to three minutes.
 */
export class MobileClient {
  readonly stats: ClientStats = { requests: 0, networkErrors: 0, retries: 0, serverErrors: [], inFlightUploads: 0, latencies: {}, contractViolations: [] };
  private readonly files = new Map<string, Buffer>();

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly random: () => number,
  ) {}

  async run(plan: SessionPlan, garbage: string): Promise<SessionRun> {
    const run: SessionRun = { plan };
    try {
      const key = randomUUID();
      const created = await this.send('create session', () => this.post('/v1/sessions', undefined, key));
      if (created.status !== 201 && created.status !== 200) throw new Error(`create session: HTTP ${created.status} ${created.text}`);
      run.sessionId = (JSON.parse(created.text) as { id: string }).id;
      if (plan.repeatCreate) {
        const again = await this.send('repeat create', () => this.post('/v1/sessions', undefined, key));
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
      const res = await this.send('poll session', () => this.get(`/v1/sessions/${sessionId}`));
      const status = res.status === 200 ? (JSON.parse(res.text) as { status: string }).status : `HTTP ${res.status}`;
      if (!['AWAITING_FILES', 'PROCESSING'].includes(status)) return status;
      if (Date.now() > deadline) throw new Error(`no decision within ${DECISION_DEADLINE_MS} ms (still ${status})`);
      await sleep(1000);
    }
  }

  private async get(route: string): Promise<{ status: number; text: string }> {
    const res = await fetch(`${this.baseUrl}${route}`, { headers: { authorization: `Bearer ${this.apiKey}` }, signal: AbortSignal.timeout(30_000) });
    return { status: res.status, text: await res.text() };
  }

  private async upload(sessionId: string, kind: string, file: string) {
    const bytes = this.files.get(file) ?? (await readFile(file));
    this.files.set(file, bytes);
    return this.send(`upload ${kind}`, async () => {
      const form = new FormData();
      form.append('file', new Blob([bytes]), path.basename(file));
      this.stats.inFlightUploads++;
      try {
        return await this.post(`/v1/sessions/${sessionId}/files?kind=${kind}`, form);
      } finally {
        this.stats.inFlightUploads--;
      }
    });
  }

  private async post(route: string, body: FormData | undefined, idempotencyKey?: string): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiKey}` };
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const res = await fetch(`${this.baseUrl}${route}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(60_000) });
    return { status: res.status, text: await res.text() };
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
