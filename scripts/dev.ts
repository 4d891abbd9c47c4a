// README command 1: the whole stack on one machine. Provisions what is missing (Temporal CLI,
// models, embedded PostgreSQL, migrations), starts Temporal with its Web UI, the API and both
// workers, prints the URLs and stops everything on Ctrl-C. State lives in DATA_DIR (.data/).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { formatKeyList } from '../src/crypto/keyring.js';
import { generateVerdictKeys } from '../src/crypto/verdict-signature.js';
import { bundledFfmpeg, bundledFfprobe } from '../src/runtime/tools.js';
import { SEARCH_ATTRIBUTES } from '../src/contract/face-similarity.js';
import { applyMigrations } from '../src/db/migrator.js';
import { createDb } from '../src/db/prisma.js';
import { TenantStore } from '../src/db/tenant-store.js';
import { startEmbeddedPostgres } from '../dev/stack/embedded-postgres.js';
import { configuredModels, ensureModelFile } from '../src/face/models/model-files.js';
import { REPO_ROOT } from '../src/runtime/app-root.js';
import {
  findTemporalCli,
  isTemporalServing,
  startTemporalDevServer,
  stopChild,
} from '../dev/stack/temporal-dev-server.js';

const say = (line: string) => console.log(`[dev] ${line}`);
// A developer's machine: local defaults, and the secrets below made on the first run.
process.env.KYC_ENV ??= 'development';
const config = loadConfig();
/** The codec listener the local Temporal UI decrypts payloads through. */
const CODEC_PORT = process.env.CODEC_PORT || '8234';
const stoppers: (() => Promise<void>)[] = [];

async function main(): Promise<void> {
  await mkdir(config.dataDir, { recursive: true });
  // The decoders: a pinned static ffmpeg where one exists for this machine (it starts in ~1 ms,
  // Debian's in ~50), and ffprobe from the npm registry where the machine has none; ffmpeg and
  // ffprobe on PATH otherwise. The workers read the paths at their boot (withToolDefaults).
  if (!process.env.FFMPEG_PATH) spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-ffmpeg.sh')], { stdio: 'inherit' });
  if (!process.env.FFPROBE_PATH) spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-ffprobe.sh')], { stdio: 'inherit' });
  for (const [tool, command] of [['ffmpeg', process.env.FFMPEG_PATH || bundledFfmpeg()], ['ffprobe', process.env.FFPROBE_PATH || bundledFfprobe()]] as const) {
    if (spawnSync(command, ['-version']).status !== 0) throw new Error(`${tool} is missing and no pinned build exists for this machine: install ffmpeg (apt-get install ffmpeg / brew install ffmpeg)`);
  }
  say(`ffmpeg: ${process.env.FFMPEG_PATH || bundledFfmpeg()}`);

  // The capture page the API serves at /capture/<session id> (web/capture, built by Vite in under a second).
  if (spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/capture/vite.config.ts'], { cwd: REPO_ROOT, stdio: 'inherit' }).status !== 0) {
    throw new Error('could not build the capture page (web/capture)');
  }
  say('capture page: built into dist/capture');

  for (const model of configuredModels(config.face)) {
    const source = await ensureModelFile(model, config.modelsMirrorDir);
    say(`model ${model.id}: ${source}`);
  }

  const secrets = await localSecrets();
  let databaseUrl = config.database.url;
  if (config.database.embedded) {
    const db = await startEmbeddedPostgres({
      dataDir: path.join(config.dataDir, 'postgres'),
      port: config.database.embeddedPort,
      database: 'kyc',
    });
    stoppers.unshift(db.stop);
    databaseUrl = db.url;
    say(`embedded PostgreSQL on ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}`);
    // As root in a private folder the postgres user cannot reach DATA_DIR: say where the data is.
    if (db.dataDir !== path.join(config.dataDir, 'postgres')) say(`  its cluster is in ${db.dataDir} (the postgres user cannot enter ${config.dataDir})`);
  }
  const migrations = await applyMigrations(databaseUrl, path.join(REPO_ROOT, 'prisma', 'migrations'));
  say(`migrations: ${migrations.applied.length} applied, ${migrations.alreadyApplied.length} already there`);
  const apiKey = await localApiKey(databaseUrl);

  const [host, portText] = config.temporal.address.split(':');
  let uiUrl = `http://127.0.0.1:${config.temporal.uiPort}`;
  if (await isTemporalServing(config.temporal.address, config.temporal.namespace)) {
    say(`reusing the Temporal server already at ${config.temporal.address}`);
  } else {
    if (host !== '127.0.0.1' && host !== 'localhost') throw new Error(`no Temporal server at ${config.temporal.address}`);
    let cli = findTemporalCli(config.temporal.cliPath, REPO_ROOT);
    if (!cli) {
      if (spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-temporal-cli.sh')], { stdio: 'inherit' }).status !== 0) {
        throw new Error('could not build the Temporal CLI');
      }
      cli = findTemporalCli(undefined, REPO_ROOT)!;
    }
    const server = await startTemporalDevServer({
      cliPath: cli,
      port: Number(portText),
      namespace: config.temporal.namespace,
      dbFile: path.join(config.dataDir, 'temporal.sqlite'),
      uiPort: config.temporal.uiPort,
      // The UI shows decrypted payloads through the API's codec endpoint.
      uiCodecEndpoint: `http://127.0.0.1:${CODEC_PORT}/codec`,
      searchAttributes: SEARCH_ATTRIBUTES,
    });
    stoppers.unshift(server.stop);
    uiUrl = server.uiUrl ?? uiUrl;
    say(`Temporal dev server at ${server.address}`);
  }

  const env = { ...process.env, ...secrets, DATABASE_URL: databaseUrl, MODELS_DIR: path.dirname(config.face.detector.path), CODEC_PORT };
  const children: ChildProcess[] = [];
  // Each process's metrics on a port of its own (a worker's SDK metrics on the next one), never on the API's.
  const metricsPorts: Record<string, string> = { 'gpu-worker': '9464', 'orchestration-worker': '9466', 'api-server': '9468' };
  for (const name of ['gpu-worker', 'orchestration-worker', 'api-server']) {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'workers', `${name}.ts`)], {
      env: { ...env, METRICS_PORT: metricsPorts[name] },
      stdio: 'inherit',
    });
    child.on('exit', (code, signal) => {
      if (!shuttingDown) {
        say(`${name} exited (${signal ?? code}); stopping the stack`);
        void shutdown(1);
      }
    });
    children.push(child);
    stoppers.unshift(() => stopChild(child, 15_000));
  }

  const api = `http://${config.api.host}:${config.api.port}`;
  await waitForHttp(`${api}/healthz`, 60_000);
  say('ready:');
  say(`  API          ${api}`);
  say(`  API docs     ${api}/docs`);
  say(`  Temporal UI  ${uiUrl}/namespaces/${config.temporal.namespace}/workflows`);
  say(`  API key      ${apiKey}  (tenant "local"; also in ${path.join(config.dataDir, 'local-api-key')})`);
  say('Ctrl-C stops everything; state is kept in ' + config.dataDir);
}

/**
 * The secrets a deployment must set, made on the first run and kept in DATA_DIR (mode 600) for
 * the next ones: payload and webhook-secret keys, the verdict signing pair and the session-token
 * secret. A variable already set wins. The dev server's histories are then encrypted as a
 * deployment's are, and stay readable across restarts.
 */
async function localSecrets(): Promise<Record<string, string>> {
  const file = path.join(config.dataDir, 'dev-secrets.json');
  const saved = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Record<string, string>) : {};
  const legacyPayloadKeys = path.join(config.dataDir, 'temporal-payload-keys');
  const key = (id: string) => formatKeyList([{ id, key: randomBytes(32) }]);
  const verdict = generateVerdictKeys(`local-${Date.now()}`);
  const made: Record<string, string> = {
    TEMPORAL_PAYLOAD_KEYS: existsSync(legacyPayloadKeys) ? (await readFile(legacyPayloadKeys, 'utf8')).trim() : key(`local-${Date.now()}`),
    WEBHOOK_SECRET_KEYS: key(`local-${Date.now()}`),
    VERDICT_SIGNING_KEY: verdict.signingKey,
    VERDICT_PUBLIC_KEYS: verdict.publicKey,
    CLIENT_TOKEN_SECRET: randomBytes(32).toString('base64url'),
  };
  const secrets = { ...made, ...saved };
  if (Object.keys(saved).length !== Object.keys(secrets).length) await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, process.env[name] || value]));
}

/** The "local" tenant's key, made on the first run and kept in DATA_DIR for the next ones. */
async function localApiKey(databaseUrl: string): Promise<string> {
  const file = path.join(config.dataDir, 'local-api-key');
  const db = createDb(databaseUrl);
  try {
    const tenants = new TenantStore(db);
    const saved = existsSync(file) ? (await readFile(file, 'utf8')).trim() : undefined;
    if (saved && (await tenants.authenticate(saved))) return saved;
    const tenant = (await tenants.findTenant('local')) ?? (await tenants.createTenant('local'));
    const { key } = await tenants.createKey(tenant.id, 'npm run dev');
    await writeFile(file, `${key}\n`, { mode: 0o600 });
    return key;
  } finally {
    await db.$disconnect();
  }
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

let shuttingDown = false;
async function shutdown(code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  say('stopping...');
  // Workers and API first (in reverse start order), then Temporal, then the database.
  for (const stop of stoppers) await stop().catch((err: unknown) => console.error(err));
  process.exit(code);
}

// embedded-postgres installs signal handlers on import (async-exit-hook) that stop the database
// and call process.exit() at once. A SIGINT or SIGTERM sent to this process alone (a process
// manager, `kill`) then ended it mid-shutdown and left the workers and Temporal running.
// This script owns the order: workers first, the database last.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.removeAllListeners(signal);
  process.on(signal, () => void shutdown(0));
}
main().catch(async (err: unknown) => {
  console.error(`[dev] ${(err as Error).message}`);
  await shutdown(1);
});
