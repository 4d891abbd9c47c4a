// The three process entry points, started as real processes the way npm run dev and the Docker
// images start them: each boots against the suite's Temporal and PostgreSQL, reports ready, and
// exits cleanly on SIGTERM. Workers serve their metrics, as they do under npm run dev and compose:
// an open metrics server once kept a stopped worker alive until SIGKILL.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../dev/stack/ephemeral-infra.js';
import { REPO_ROOT } from '../../src/runtime/app-root.js';
import { MODELS_DIR } from '../../dev/paths.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'kyc-entry-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const entries: [string, RegExp][] = [
  ['api-server', /Server listening/],
  ['orchestration-worker', /orchestration worker running/],
  ['gpu-worker', /gpu worker running/],
];

describe.each(entries)('workers/%s', (name, ready) => {
  it('boots, reports ready and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'workers', `${name}.ts`)], {
      env: {
        ...process.env,
        DATABASE_URL: inject('databaseUrl'),
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        API_PORT: String(await freePort()),
        DATA_DIR: dataDir,
        MODELS_DIR,
        EXECUTION_PROVIDER: 'cpu',
        ORCHESTRATION_TASK_QUEUE: `entry-${name}`,
        GPU_TASK_QUEUE: `entry-gpu-${name}`,
        METRICS_PORT: name === 'api-server' ? '0' : String(await freePort()),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} not ready in 60 s:\n${output}`)), 60_000);
      const onData = (d: Buffer) => {
        output += d.toString();
        if (ready.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then((code) => reject(new Error(`${name} exited with ${code} before ready:\n${output}`)));
    });
    child.kill('SIGTERM');
    expect(await exited, output.slice(-2000)).toBe(0);
  }, 90_000);
});
