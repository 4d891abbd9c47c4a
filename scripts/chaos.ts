// `npm run chaos`: the whole stack as separate processes, a realistic session mix from concurrent
// mobile clients, and faults injected meanwhile (GPU worker and orchestration worker SIGKILLs, API
// SIGKILLs mid-upload, Temporal and PostgreSQL restarts); then every exactly-once check, from
// Postgres, Temporal, the blob store and the webhook receiver. The last line is one JSON object.
import { parseArgs } from 'node:util';
import { CHAOS_DEFAULTS, runChaos, type ChaosReport } from '../dev/chaos/run.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string' },
    concurrency: { type: 'string' },
    'faults-each': { type: 'string' },
    'gpu-workers': { type: 'string' },
    seed: { type: 'string' },
    'upload-timeout': { type: 'string' },
    keep: { type: 'boolean' },
  },
});
const number = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
const started = Date.now();
const say = (line: string) => console.log(`[chaos +${Math.round((Date.now() - started) / 1000)}s] ${line}`);

const report = await runChaos({
  ...CHAOS_DEFAULTS,
  sessions: number(values.sessions, CHAOS_DEFAULTS.sessions),
  concurrency: number(values.concurrency, CHAOS_DEFAULTS.concurrency),
  faultsEach: number(values['faults-each'], CHAOS_DEFAULTS.faultsEach),
  gpuWorkers: number(values['gpu-workers'], CHAOS_DEFAULTS.gpuWorkers),
  seed: number(values.seed, CHAOS_DEFAULTS.seed),
  uploadTimeout: values['upload-timeout'] ?? CHAOS_DEFAULTS.uploadTimeout,
  keep: values.keep ?? false,
  log: say,
});
print(report);
// Any finding at all (a lost session, an orphan blob, a missing webhook, …) fails the run.
process.exitCode = report.findings.problems.length > 0 ? 1 : 0;

function print(r: ChaosReport): void {
  console.log('\nfaults injected:');
  for (const f of r.faults) {
    console.log(`  +${Math.round((f.at - started) / 1000)}s ${f.kind.padEnd(26)} ${f.target.padEnd(22)} back in ${String(f.recoveredAt - f.at).padStart(6)} ms` +
      (f.keysHit.length ? `  interrupted ${f.keysHit.length} inference(s)` : '') + (f.note ? `  (${f.note})` : ''));
  }
  console.log('\nfault-free verdicts (reference):');
  for (const [pair, verdict] of Object.entries(r.reference)) console.log(`  ${pair.padEnd(44)} ${verdict}`);
  console.log('\noutcomes:');
  for (const [verdict, n] of Object.entries(r.outcomes)) console.log(`  ${String(n).padStart(4)}  ${verdict}`);
  console.log('\ndecision time, last upload accepted → session decided (ms):');
  const row = (label: string, l: { count: number; p50: number; p95: number; max: number }) =>
    console.log(`  ${label.padEnd(28)} n=${String(l.count).padStart(4)}  p50 ${String(l.p50).padStart(6)}  p95 ${String(l.p95).padStart(6)}  max ${String(l.max).padStart(6)}`);
  row('all', r.latency.all);
  row('no fault during it', r.latency.faultFree);
  for (const [kind, l] of Object.entries(r.latency.byFault)) row(`during ${kind}`, l);
  console.log(`\nclients: ${r.client.requests} requests, ${r.client.retries} retries, ${r.client.networkErrors} network errors; ${r.webhookDeliveries} webhook deliveries received`);
  for (const exit of r.unplannedExits) console.log(`unplanned: ${exit}`);
  console.log(r.findings.problems.length ? `\nproblems (${r.findings.problems.length}):` : '\nproblems: none');
  for (const p of r.findings.problems.slice(0, 50)) console.log(`  ${p}`);
  if (r.findings.problems.length > 50) console.log(`  … and ${r.findings.problems.length - 50} more`);
  console.log(JSON.stringify(r.summary));
}
