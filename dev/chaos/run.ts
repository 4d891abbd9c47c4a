import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDb } from '../../src/db/prisma.js';
import { TenantStore } from '../../src/db/tenant-store.js';
import { LocalBlobStore } from '../../src/storage/local-blob-store.js';
import { Keyring, parseKeyList } from '../../src/crypto/keyring.js';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { FAULT_KINDS, FaultInjector, type FaultKind, type InjectedFault } from './fault-injector.js';
import { planSessions, prepareMedia, seededRandom } from './mix.js';
import { MobileClient, type SessionRun } from '../mobile-client.js';
import { ProcessStack } from '../stack/process-stack.js';
import { TERMINAL, describeVerdict, readOutcomes, verifyRun, type ChaosFindings, type Verdict } from './verify.js';
import { WebhookReceiver } from './webhook-receiver.js';

export interface ChaosOptions {
  sessions: number;
  /** Concurrent mobile clients. */
  concurrency: number;
  /** How many times each fault kind is injected. */
  faultsEach: number;
  /** Random pause before each fault, in ms. */
  faultGapMs: [number, number];
  gpuWorkers: number;
  seed: number;
  /** The service's UPLOAD_TIMEOUT for the run: expiring sessions wait this long. */
  uploadTimeout: string;
  /** Keep the run folder (logs, databases) for a look afterwards. */
  keep: boolean;
  log: (line: string) => void;
}

export const CHAOS_DEFAULTS: Omit<ChaosOptions, 'log'> = {
  sessions: 300,
  concurrency: 8,
  faultsEach: 3,
  faultGapMs: [5_000, 20_000],
  gpuWorkers: 2,
  seed: 1,
  uploadTimeout: '60s',
  keep: false,
};

export interface LatencyFigures {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

export interface ChaosReport {
  findings: ChaosFindings;
  faults: InjectedFault[];
  reference: Record<string, string>;
  /** Decision time (last upload accepted → session decided), all sessions and by the fault they overlapped. */
  latency: { all: LatencyFigures; faultFree: LatencyFigures; byFault: Partial<Record<FaultKind, LatencyFigures>> };
  outcomes: Record<string, number>;
  unplannedExits: string[];
  client: { requests: number; retries: number; networkErrors: number };
  webhookDeliveries: number;
  /** What each process's /metrics answered at the end: the HTTP status and the metric families it exports. */
  metrics: Record<string, { status: number; families: string[] }>;
  wallSeconds: number;
  runDir: string;
  /** The one-line summary the issue asks for. */
  summary: Record<string, number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the chaos experiment end to end and returns what it injected and found. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const log = options.log;
  const runDir = await mkdtemp(path.join(tmpdir(), 'kyc-chaos-'));
  const mediaDir = path.join(runDir, 'media');
  await mkdir(mediaDir);
  const random = seededRandom(options.seed);
  const receiver = new WebhookReceiver();
  const webhookUrl = await receiver.start();
  log(`run folder ${runDir}`);
  const { pairs, garbage } = await prepareMedia(mediaDir);
  const stack = await ProcessStack.start({ runDir, gpuWorkers: options.gpuWorkers, uploadTimeout: options.uploadTimeout });
  const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 4 });
  pool.on('error', () => undefined);
  const workflows = await stack.sessionWorkflows();
  try {
    log(`stack up: API ${stack.apiUrl}, Temporal ${stack.temporalAddress}, ${options.gpuWorkers} GPU workers (${Math.round((Date.now() - started) / 1000)} s)`);
    const tenants = await makeTenants(stack, webhookUrl);
    receiver.useSecret(tenants.main.webhookSecret);

    // The verdict each media pair gets without faults: what every chaos session must reproduce.
    const referenceClient = new MobileClient(stack.apiUrl, tenants.reference.apiKey, random);
    const referenceRuns = await Promise.all(
      pairs.map((pair, index) =>
        referenceClient.run({ index, pair, idImage: pair.idImage, videoFirst: false, duplicateUpload: false, badUploadFirst: false, repeatCreate: false }, garbage),
      ),
    );
    await waitForTerminal(pool, tenants.reference.tenantId, referenceRuns, 300_000, log);
    const reference = new Map<string, Verdict>();
    const referenceOutcomes = await readOutcomes(pool, tenants.reference.tenantId);
    for (const run of referenceRuns) {
      const verdict = run.sessionId ? referenceOutcomes.sessions.get(run.sessionId)?.verdict : undefined;
      if (!verdict || !TERMINAL.has(verdict.status)) throw new Error(`the fault-free reference of "${run.plan.pair?.name}" did not finish: ${run.gaveUp ?? verdict?.status}`);
      reference.set(run.plan.pair!.name, verdict);
      log(`reference: ${run.plan.pair!.name} → ${describeVerdict(verdict)}`);
    }

    const plans = planSessions(options.sessions, pairs, random);
    const faultPlan = shuffle(FAULT_KINDS.flatMap((kind) => Array<FaultKind>(options.faultsEach).fill(kind)), random);
    log(`driving ${plans.length} sessions from ${options.concurrency} clients; injecting ${faultPlan.length} faults`);
    const client = new MobileClient(stack.apiUrl, tenants.main.apiKey, random);
    const injector = new FaultInjector(stack, pool, random, log);
    const injecting = injector.run(faultPlan, options.faultGapMs, { inFlightUploads: () => client.stats.inFlightUploads, stopRequested: () => false });
    const runs = await runPool(plans, options.concurrency, (plan) => client.run(plan, garbage), (done) => {
      if (done % 50 === 0) log(`${done}/${plans.length} sessions uploaded`);
    });
    log('every client is done; waiting for the remaining faults and decisions');
    await injecting;
    await waitForTerminal(pool, tenants.main.tenantId, runs, 600_000, log);
    await waitUntil(() => runs.every((r) => !r.sessionId || receiver.received.some((w) => w.sessionId === r.sessionId && w.answered < 300)), 120_000);
    // Partial uploads cut off by the API kills are swept after BLOB_SWEEP_GRACE.
    const blobs = new LocalBlobStore(stack.blobDir);
    await waitUntil(async () => (await orphanCount(pool, blobs)) === 0, 60_000);

    const findings = await verifyRun({
      pool,
      tenantId: tenants.main.tenantId,
      runs,
      reference,
      faults: injector.injected,
      workflows,
      blobs,
      webhooks: receiver.received,
      serverErrors: client.stats.serverErrors,
      contractViolations: client.stats.contractViolations,
    });
    const outcomes = await readOutcomes(pool, tenants.main.tenantId);
    const metrics = await scrapeMetrics(stack.metricsUrls());
    const decisions = runs.flatMap((r) => {
      const done = r.sessionId ? outcomes.sessions.get(r.sessionId)?.row.completed_at : undefined;
      return r.plan.pair && r.lastUploadAt && done ? [{ from: r.lastUploadAt, to: done.getTime() }] : [];
    });
    const overlaps = (d: { from: number; to: number }, f: InjectedFault) => d.from <= f.recoveredAt && d.to >= f.at;
    const byFault: Partial<Record<FaultKind, LatencyFigures>> = {};
    for (const kind of FAULT_KINDS) {
      const hit = decisions.filter((d) => injector.injected.some((f) => f.kind === kind && overlaps(d, f)));
      if (hit.length) byFault[kind] = figures(hit.map((d) => d.to - d.from));
    }
    const latency = {
      all: figures(decisions.map((d) => d.to - d.from)),
      faultFree: figures(decisions.filter((d) => !injector.injected.some((f) => overlaps(d, f))).map((d) => d.to - d.from)),
      byFault,
    };
    const counts: Record<string, number> = {};
    for (const { verdict } of outcomes.sessions.values()) counts[describeVerdict(verdict)] = (counts[describeVerdict(verdict)] ?? 0) + 1;
    const summary = {
      sessions: findings.sessions,
      lost: findings.lost,
      wrong_verdicts: findings.wrongVerdicts,
      duplicate_results: findings.duplicateResults + findings.duplicateSessions,
      extra_inferences: findings.extraInferences,
      left_running: findings.comparisonsLeftRunning,
      temporal_disagreements: findings.temporalDisagreements,
      orphan_blobs: findings.orphanBlobs,
      missing_blobs: findings.missingBlobs,
      webhooks_missing: findings.webhooksMissing,
      webhook_duplicate_ids: findings.webhookDuplicatesOutsideRetries,
      unexpected_5xx: findings.unexpected5xx,
      excused_5xx: findings.excused5xx,
      dependency_503: findings.dependency503,
      contract_violations: findings.contractViolations,
      faults_injected: injector.injected.length,
      inferences_interrupted: injector.injected.reduce((n, f) => n + f.keysHit.length, 0),
      decision_p50_ms: latency.all.p50,
      decision_p95_ms: latency.all.p95,
      decision_max_ms: latency.all.max,
      wall_s: Math.round((Date.now() - started) / 1000),
    };
    return {
      findings,
      faults: injector.injected,
      reference: Object.fromEntries([...reference].map(([k, v]) => [k, describeVerdict(v)])),
      latency,
      outcomes: counts,
      unplannedExits: [stack.api, stack.orchestration, ...stack.gpu].flatMap((p) => p.unplannedExits.map((e) => `${p.name} exited by itself (${e.signal ?? e.code})`)),
      client: { requests: client.stats.requests, retries: client.stats.retries, networkErrors: client.stats.networkErrors },
      webhookDeliveries: receiver.received.length,
      metrics,
      wallSeconds: summary.wall_s,
      runDir,
      summary,
    };
  } finally {
    await workflows.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await stack.stop();
    await receiver.stop();
    if (!options.keep) await rm(runDir, { recursive: true, force: true });
  }
}

async function makeTenants(stack: ProcessStack, webhookUrl: string) {
  const db = createDb(stack.databaseUrl);
  try {
    const tenants = new TenantStore(db, new SecretBox(new Keyring(parseKeyList(stack.env.WEBHOOK_SECRET_KEYS ?? ''))));
    const make = async (name: string, url?: string) => {
      const tenant = await tenants.createTenant(name, url);
      const { key } = await tenants.createKey(tenant.id, name);
      return { tenantId: tenant.id, apiKey: key, webhookSecret: tenant.webhookSecret ?? '' };
    };
    return { main: await make('chaos', webhookUrl), reference: await make('chaos-reference') };
  } finally {
    await db.$disconnect();
  }
}

/** Scrapes every process's /metrics once: the status and the families (# TYPE lines) it serves. */
async function scrapeMetrics(urls: Record<string, string>): Promise<Record<string, { status: number; families: string[] }>> {
  const out: Record<string, { status: number; families: string[] }> = {};
  for (const [name, url] of Object.entries(urls)) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const text = await res.text();
      out[name] = { status: res.status, families: [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!) };
    } catch {
      out[name] = { status: 0, families: [] };
    }
  }
  return out;
}

/** Runs `work` over `items` with at most `concurrency` at once; results in input order. */
async function runPool<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>, progress: (done: number) => void): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
        progress(++done);
      }
    }),
  );
  return results;
}

async function waitForTerminal(pool: pg.Pool, tenantId: string, runs: SessionRun[], timeoutMs: number, log: (line: string) => void): Promise<void> {
  const ids = runs.flatMap((r) => (r.sessionId ? [r.sessionId] : []));
  let lastSaid = 0;
  await waitUntil(async () => {
    const { rows } = await pool.query<{ id: string; status: string }>('SELECT id, status FROM kyc_sessions WHERE tenant_id = $1', [tenantId]);
    const status = new Map(rows.map((r) => [r.id, r.status]));
    const open = ids.filter((id) => !TERMINAL.has(status.get(id) ?? ''));
    if (open.length && Date.now() - lastSaid > 15_000) {
      lastSaid = Date.now();
      log(`waiting for ${open.length} session(s) to be decided`);
    }
    return open.length === 0;
  }, timeoutMs);
}

async function orphanCount(pool: pg.Pool, blobs: LocalBlobStore): Promise<number> {
  const referenced = new Set((await pool.query<{ storage_key: string }>('SELECT storage_key FROM uploaded_files')).rows.map((r) => r.storage_key));
  let orphans = 0;
  for await (const blob of blobs.list()) if (!referenced.has(blob.key)) orphans++;
  return orphans;
}

/** Polls `condition` (errors count as "not yet": Postgres may be restarting) until true or the timeout. */
async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await Promise.resolve().then(condition).catch(() => false)) return true;
    await sleep(1000);
  }
  return false;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function figures(values: number[]): LatencyFigures {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : 0);
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 };
}

