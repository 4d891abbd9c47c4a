// `npm run bench:load`: many concurrent sessions with small media through the API of the whole
// stack as separate processes (no faults). Reports API latency percentiles by request, 5xx count,
// sessions per second, and the orchestration overhead read from each workflow's history: from
// the second upload to compareFaces being scheduled (signal, workflow tasks, bookkeeping) and to
// its start on a GPU worker (plus the queue wait). The last line is one JSON object.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { temporal } from '@temporalio/proto';
import { workflowIdFor } from '../src/contract/face-similarity.js';
import { createDb } from '../src/db/prisma.js';
import { TenantStore } from '../src/db/tenant-store.js';
import { seededRandom } from '../dev/chaos/mix.js';
import { MobileClient, type SessionRun } from '../dev/mobile-client.js';
import { fixture } from '../dev/paths.js';
import { ProcessStack } from '../dev/stack/process-stack.js';

const { values } = parseArgs({ options: { sessions: { type: 'string' }, concurrency: { type: 'string' }, 'gpu-workers': { type: 'string' } } });
const SESSIONS = Number(values.sessions ?? 120);
const CONCURRENCY = Number(values.concurrency ?? 24);
const GPU_WORKERS = Number(values['gpu-workers'] ?? 2);

const runDir = await mkdtemp(path.join(tmpdir(), 'kyc-load-'));
const stack = await ProcessStack.start({ runDir, gpuWorkers: GPU_WORKERS, uploadTimeout: '10m' });
try {
  const db = createDb(stack.databaseUrl);
  const tenant = await new TenantStore(db).createTenant('load');
  const { key } = await new TenantStore(db).createKey(tenant.id, 'load');
  await db.$disconnect();
  const client = new MobileClient(stack.apiUrl, key, seededRandom(1));
  // Small media: a 614 kB clip and a photo of the same person, a match.
  const plan = (index: number) => ({
    index,
    pair: { name: 'hamilton', idImage: fixture('lin-manuel-miranda.png'), video: fixture('short_hamilton_clip.mp4'), intent: 'match' as const },
    idImage: fixture('lin-manuel-miranda.png'),
    videoFirst: index % 2 === 0,
    duplicateUpload: false,
    badUploadFirst: false,
    repeatCreate: false,
  });
  // One warm-up session: models loaded, connections open, before the clock starts.
  await client.run(plan(-1), '');
  client.stats.latencies = {};
  client.stats.serverErrors.length = 0;

  console.log(`[load] ${SESSIONS} sessions from ${CONCURRENCY} clients, ${GPU_WORKERS} GPU workers`);
  const started = performance.now();
  const runs: SessionRun[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < SESSIONS) runs.push(await client.run(plan(next++), ''));
    }),
  );
  const wallS = (performance.now() - started) / 1000;

  const workflows = await stack.sessionWorkflows();
  const toSchedule: number[] = [];
  const toStart: number[] = [];
  const queueWait: number[] = [];
  for (const run of runs) {
    if (!run.sessionId || !run.lastUploadAt) continue;
    const history = await workflows.client.workflow.getHandle(workflowIdFor(run.sessionId)).fetchHistory();
    const events = history.events ?? [];
    const signals = events.filter((e) => e.workflowExecutionSignaledEventAttributes);
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'compareFaces');
    const startedEvent = scheduled && events.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId ?? -1) === Number(scheduled.eventId));
    const secondSignal = signals[1];
    if (!secondSignal || !scheduled || !startedEvent) continue;
    toSchedule.push(ms(scheduled) - ms(secondSignal));
    toStart.push(ms(startedEvent) - ms(secondSignal));
    queueWait.push(ms(startedEvent) - ms(scheduled));
  }
  await workflows.close();

  const lat = client.stats.latencies;
  const all = Object.values(lat).flat();
  const decided = runs.filter((r) => r.decision === 'COMPLETED').length;
  console.log('\nAPI latency (ms):');
  const row = (label: string, v: number[]) => console.log(`  ${label.padEnd(22)} n=${String(v.length).padStart(5)}  p50 ${pct(v, 0.5).toFixed(1).padStart(7)}  p95 ${pct(v, 0.95).toFixed(1).padStart(7)}  p99 ${pct(v, 0.99).toFixed(1).padStart(7)}`);
  for (const [what, v] of Object.entries(lat)) row(what, v);
  row('all requests', all);
  console.log('\norchestration, from the second upload\'s signal (ms):');
  row('to compareFaces scheduled', toSchedule);
  row('to its start on a GPU', toStart);
  row('GPU queue wait', queueWait);
  console.log(`\n${decided}/${SESSIONS} sessions COMPLETED in ${wallS.toFixed(1)} s: ${(SESSIONS / wallS).toFixed(2)} sessions/s; ${client.stats.serverErrors.length} 5xx, ${client.stats.networkErrors} network errors`);
  console.log(
    JSON.stringify({
      sessions: SESSIONS,
      concurrency: CONCURRENCY,
      gpu_workers: GPU_WORKERS,
      completed: decided,
      sessions_per_s: round(SESSIONS / wallS),
      api_p50_ms: round(pct(all, 0.5)),
      api_p95_ms: round(pct(all, 0.95)),
      api_p99_ms: round(pct(all, 0.99)),
      upload_p95_ms: round(pct([...(lat['upload ID_IMAGE'] ?? []), ...(lat['upload SELFIE_VIDEO'] ?? [])], 0.95)),
      http_5xx: client.stats.serverErrors.length,
      orchestration_p50_ms: round(pct(toSchedule, 0.5)),
      orchestration_p95_ms: round(pct(toSchedule, 0.95)),
      to_gpu_start_p50_ms: round(pct(toStart, 0.5)),
      to_gpu_start_p95_ms: round(pct(toStart, 0.95)),
    }),
  );
} finally {
  await stack.stop();
  await rm(runDir, { recursive: true, force: true });
}

function ms(event: temporal.api.history.v1.IHistoryEvent): number {
  const t = event.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : 0;
}

function pct(values: number[], q: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
