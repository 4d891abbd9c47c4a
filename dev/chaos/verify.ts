import type { Pool } from 'pg';
import { workflowIdFor, type FaceSimilarityOutcome } from '../../src/contract/face-similarity.js';
import type { BlobStore } from '../../src/storage/blob-store.js';
import type { SessionWorkflows } from '../../src/temporal/client.js';
import type { InjectedFault } from './fault-injector.js';
import type { ServerErrorSeen } from '../mobile-client.js';
import type { SessionRun } from '../mobile-client.js';
import type { ReceivedWebhook } from './webhook-receiver.js';

/** What a session ended as: the terminal status, the match verdict and the reason, nothing else. */
export interface Verdict {
  status: string;
  match: boolean | null;
  reason: string | null;
}

export const TERMINAL = new Set(['COMPLETED', 'REJECTED', 'EXPIRED', 'FAILED']);
export const sameVerdict = (a: Verdict, b: Verdict) => a.status === b.status && a.match === b.match && a.reason === b.reason;
export const describeVerdict = (v: Verdict) => `${v.status}${v.match === null ? '' : ` match=${v.match}`}${v.reason ? ` ${v.reason}` : ''}`;

interface SessionRow {
  id: string;
  status: string;
  rejection_reason: string | null;
  completed_at: Date | null;
  result_key: string | null;
}

interface ComparisonRow {
  session_id: string;
  comparison_key: string;
  status: string;
  attempts: number;
  match: boolean | null;
}

/** Sessions and comparisons of one tenant as Postgres holds them. */
export async function readOutcomes(pool: Pool, tenantId: string) {
  const sessions = (await pool.query<SessionRow>('SELECT id, status, rejection_reason, completed_at, result_key FROM kyc_sessions WHERE tenant_id = $1', [tenantId])).rows;
  const comparisons = (
    await pool.query<ComparisonRow>(
      `SELECT c.session_id, c.comparison_key, c.status, c.attempts, c.match
       FROM face_comparisons c JOIN kyc_sessions s ON s.id = c.session_id WHERE s.tenant_id = $1`,
      [tenantId],
    )
  ).rows;
  const bySession = new Map<string, ComparisonRow[]>();
  for (const c of comparisons) bySession.set(c.session_id, [...(bySession.get(c.session_id) ?? []), c]);
  const verdictOf = (s: SessionRow): Verdict => ({
    status: s.status,
    match: s.status === 'COMPLETED' ? (bySession.get(s.id)?.find((c) => c.comparison_key === s.result_key)?.match ?? null) : null,
    reason: s.status === 'COMPLETED' ? null : s.rejection_reason,
  });
  return { sessions: new Map(sessions.map((s) => [s.id, { row: s, verdict: verdictOf(s) }])), comparisons, comparisonsBySession: bySession };
}

export interface ChaosFindings {
  sessions: number;
  lost: number;
  wrongVerdicts: number;
  duplicateResults: number;
  duplicateSessions: number;
  comparisonsLeftRunning: number;
  extraInferences: number;
  temporalDisagreements: number;
  orphanBlobs: number;
  missingBlobs: number;
  webhooksMissing: number;
  webhookDuplicatesOutsideRetries: number;
  badSignatures: number;
  unexpected5xx: number;
  excused5xx: number;
  /** 503 with Retry-After while the database or Temporal restarted: the client retried and got through. */
  dependency503: number;
  contractViolations: number;
  problems: string[];
}

export interface VerifyInput {
  pool: Pool;
  tenantId: string;
  runs: SessionRun[];
  /** The verdict a fault-free run gave each media pair. */
  reference: Map<string, Verdict>;
  faults: InjectedFault[];
  workflows: SessionWorkflows;
  blobs: BlobStore;
  webhooks: ReceivedWebhook[];
  serverErrors: ServerErrorSeen[];
  contractViolations: string[];
}

/** Every check of the issue, from Postgres, Temporal, the blob store and the webhook receiver. */
export async function verifyRun(input: VerifyInput): Promise<ChaosFindings> {
  const problems: string[] = [];
  const { sessions, comparisons, comparisonsBySession } = await readOutcomes(input.pool, input.tenantId);
  const f: ChaosFindings = {
    sessions: input.runs.length, lost: 0, wrongVerdicts: 0, duplicateResults: 0, duplicateSessions: 0, comparisonsLeftRunning: 0,
    extraInferences: 0, temporalDisagreements: 0, orphanBlobs: 0, missingBlobs: 0, webhooksMissing: 0,
    webhookDuplicatesOutsideRetries: 0, badSignatures: 0, unexpected5xx: 0, excused5xx: 0, dependency503: 0, contractViolations: input.contractViolations.length, problems,
  };
  problems.push(...input.contractViolations.map((v) => `contract: ${v}`));

  const expected = (run: SessionRun): Verdict | undefined =>
    run.plan.pair ? input.reference.get(run.plan.pair.name) : { status: 'EXPIRED', match: null, reason: null };
  for (const run of input.runs) {
    const label = `session #${run.plan.index}${run.sessionId ? ` ${run.sessionId}` : ''}`;
    if (run.gaveUp || !run.sessionId) {
      f.lost++;
      problems.push(`${label}: lost, the client gave up (${run.gaveUp})`);
      continue;
    }
    const stored = sessions.get(run.sessionId);
    if (!stored || !TERMINAL.has(stored.row.status)) {
      f.lost++;
      problems.push(`${label}: lost, ${stored ? `still ${stored.row.status}` : 'no row in Postgres'}`);
      continue;
    }
    if (run.decision && run.decision !== stored.row.status) {
      f.contractViolations++;
      problems.push(`${label}: the app was shown ${run.decision}, Postgres holds ${stored.row.status}`);
    }
    const want = expected(run);
    if (want && !sameVerdict(stored.verdict, want)) {
      f.wrongVerdicts++;
      problems.push(`${label} (${run.plan.pair?.name ?? 'expiring'}): ${describeVerdict(stored.verdict)}, a fault-free run gives ${describeVerdict(want)}`);
    }
    const rows = comparisonsBySession.get(run.sessionId) ?? [];
    if (rows.length > 1) {
      f.duplicateResults += rows.length - 1;
      problems.push(`${label}: ${rows.length} comparison rows`);
    }
  }
  // A create retried without its Idempotency-Key taking effect would leave a second session.
  const created = new Set(input.runs.map((r) => r.sessionId).filter(Boolean));
  f.duplicateSessions = [...sessions.keys()].filter((id) => !created.has(id)).length;
  if (f.duplicateSessions) problems.push(`${f.duplicateSessions} session(s) in Postgres that no client was given`);

  const killsOf = new Map<string, number>();
  for (const fault of input.faults) for (const key of fault.keysHit) killsOf.set(key, (killsOf.get(key) ?? 0) + 1);
  for (const c of comparisons) {
    if (c.status === 'RUNNING') {
      f.comparisonsLeftRunning++;
      problems.push(`comparison ${c.comparison_key} left RUNNING`);
    }
    const allowed = 1 + (killsOf.get(c.comparison_key) ?? 0);
    if (c.attempts > allowed) {
      f.extraInferences += c.attempts - allowed;
      problems.push(`comparison ${c.comparison_key}: ${c.attempts} inference runs, ${allowed - 1} kill(s) hit it`);
    }
  }

  // Temporal must tell the same story as Postgres.
  await Promise.all(
    input.runs.map(async (run) => {
      const stored = run.sessionId ? sessions.get(run.sessionId) : undefined;
      if (!run.sessionId || !stored || !TERMINAL.has(stored.row.status)) return;
      try {
        const outcome = (await input.workflows.client.workflow.getHandle(workflowIdFor(run.sessionId)).result()) as FaceSimilarityOutcome;
        const fromTemporal: Verdict = {
          status: outcome.status,
          match: outcome.status === 'COMPLETED' ? outcome.result.match : null,
          reason: outcome.status === 'COMPLETED' ? null : outcome.status === 'EXPIRED' ? null : outcome.reason,
        };
        if (!sameVerdict(fromTemporal, stored.verdict)) {
          f.temporalDisagreements++;
          problems.push(`session ${run.sessionId}: Temporal says ${describeVerdict(fromTemporal)}, Postgres ${describeVerdict(stored.verdict)}`);
        }
      } catch (err) {
        f.temporalDisagreements++;
        problems.push(`session ${run.sessionId}: no workflow result (${(err as Error).message})`);
      }
    }),
  );

  // Blobs: every stored key is some upload's, every upload's bytes are there.
  const referenced = new Set((await input.pool.query<{ storage_key: string }>('SELECT storage_key FROM uploaded_files')).rows.map((r) => r.storage_key));
  const present = new Set<string>();
  for await (const blob of input.blobs.list()) present.add(blob.key);
  for (const key of present) if (!referenced.has(key)) f.orphanBlobs++;
  for (const key of referenced) if (!present.has(key)) f.missingBlobs++;
  if (f.orphanBlobs) problems.push(`${f.orphanBlobs} blob(s) no upload refers to`);
  if (f.missingBlobs) problems.push(`${f.missingBlobs} upload(s) whose blob is gone`);

  // Webhooks: each decided session delivered (a 2xx answered), repeats only under its one delivery id.
  const bySession = new Map<string, ReceivedWebhook[]>();
  for (const w of input.webhooks) bySession.set(w.sessionId, [...(bySession.get(w.sessionId) ?? []), w]);
  for (const run of input.runs) {
    if (!run.sessionId || !sessions.has(run.sessionId)) continue;
    const got = bySession.get(run.sessionId) ?? [];
    if (!got.some((w) => w.answered < 300)) {
      f.webhooksMissing++;
      problems.push(`session ${run.sessionId}: no webhook delivered`);
    }
    const ids = new Set(got.map((w) => w.deliveryId));
    if (ids.size > 1) {
      f.webhookDuplicatesOutsideRetries += ids.size - 1;
      problems.push(`session ${run.sessionId}: ${ids.size} different delivery ids`);
    }
    f.badSignatures += got.filter((w) => !w.signatureValid).length;
  }
  if (f.badSignatures) problems.push(`${f.badSignatures} webhook(s) with a bad signature`);

  // 5xx: only while the API itself was down (its successor may still see requests cut off), or a
  // 503 "dependency-unavailable" while PostgreSQL or Temporal restarted; anything else is a defect.
  const window = (x: InjectedFault) => [x.at, x.recoveredAt + 3000] as const;
  const apiDown = input.faults.filter((x) => x.kind === 'api-kill').map(window);
  const dependencyDown = input.faults.filter((x) => x.kind === 'postgres-restart' || x.kind === 'temporal-restart').map(window);
  const within = (at: number, windows: (readonly [number, number])[]) => windows.some(([from, to]) => at >= from && at <= to);
  const start = input.faults.length ? Math.min(...input.faults.map((x) => x.at)) : 0;
  for (const e of input.serverErrors) {
    if (within(e.at, apiDown)) f.excused5xx++;
    else if (e.status === 503 && e.body.includes('dependency-unavailable') && within(e.at, dependencyDown)) f.dependency503++;
    else {
      f.unexpected5xx++;
      problems.push(`HTTP ${e.status} on ${e.what} ${Math.round((e.at - start) / 1000)} s after the first fault, outside any outage: ${e.body}`);
    }
  }
  return f;
}
