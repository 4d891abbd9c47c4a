// The three process entry points, started as real processes the way the Docker images start
// them: in production mode, with every secret a deployment sets, each boots against the suite's
// Temporal and PostgreSQL, reports ready, and exits cleanly on SIGTERM. Without any one of its
// secrets each refuses to start, naming the variable: production fails closed.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, freePortWithNext } from '../../dev/stack/ephemeral-infra.js';
import { REPO_ROOT } from '../../src/runtime/app-root.js';
import { MODELS_DIR } from '../../dev/paths.js';
import { TEST_PAYLOAD_KEYS, TEST_VERDICT_PUBLIC_KEYS, TEST_VERDICT_SIGNING_KEY, TEST_WEBHOOK_SECRET_KEYS } from '../../dev/test-keys.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'kyc-entry-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** What each process must be given in production, and the line it prints once ready. */
const entries = {
  'api-server': { ready: /Server listening/, secrets: { CLIENT_TOKEN_SECRET: 'x'.repeat(40), TEMPORAL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, VERDICT_PUBLIC_KEYS: TEST_VERDICT_PUBLIC_KEYS } },
  'orchestration-worker': { ready: /orchestration worker running/, secrets: { TEMPORAL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, WEBHOOK_SECRET_KEYS: TEST_WEBHOOK_SECRET_KEYS, VERDICT_PUBLIC_KEYS: TEST_VERDICT_PUBLIC_KEYS } },
  'gpu-worker': { ready: /gpu worker running/, secrets: { TEMPORAL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, VERDICT_SIGNING_KEY: TEST_VERDICT_SIGNING_KEY } },
};
type Entry = keyof typeof entries;

async function environment(name: Entry): Promise<NodeJS.ProcessEnv> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KYC_ENV: 'production',
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    API_PORT: String(await freePort()),
    CODEC_PORT: String(await freePort()),
    DATA_DIR: dataDir,
    MODELS_DIR,
    EXECUTION_PROVIDER: 'cpu',
    ORCHESTRATION_TASK_QUEUE: `entry-${name}`,
    GPU_TASK_QUEUE: `entry-gpu-${name}`,
    // The workers serve the Temporal SDK's metrics on the next port: both must be free.
    METRICS_PORT: String(await freePortWithNext()),
    DECODER_SANDBOX: 'none',
    ...entries[name].secrets,
  };
}

/** Runs an entry point until `until` matches its output (then SIGTERM) or it exits; its exit code and output. */
async function run(name: Entry, env: NodeJS.ProcessEnv, until?: RegExp): Promise<{ code: number | null; output: string; ready: boolean }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'workers', `${name}.ts`)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let ready = false;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const onData = (d: Buffer) => {
    output += d.toString();
    if (until && !ready && until.test(output)) {
      ready = true;
      child.kill('SIGTERM');
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const code = await exited;
  clearTimeout(timer);
  return { code, output, ready };
}

describe.each(Object.keys(entries) as Entry[])('workers/%s', (name) => {
  it('boots in production mode with its secrets, reports ready and exits 0 on SIGTERM', async () => {
    const { code, output, ready } = await run(name, await environment(name), entries[name].ready);
    expect(ready, output.slice(-2000)).toBe(true);
    expect(code, output.slice(-2000)).toBe(0);
  }, 90_000);

  it.each(['DATABASE_URL', ...Object.keys(entries[name].secrets)])('refuses to start in production without %s, naming it', async (variable) => {
    const env = await environment(name);
    delete env[variable];
    const { code, output, ready } = await run(name, env, entries[name].ready);
    expect(ready, output.slice(-2000)).toBe(false);
    expect(code).toBe(1);
    expect(output).toContain(`${variable}: required`);
  }, 90_000);
});
