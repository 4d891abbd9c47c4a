import { randomBytes } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../src/contract/face-similarity.js';
import { applyMigrations } from '../../src/db/migrator.js';
import { loadConfig } from '../../src/config/config.js';
import { REPO_ROOT } from '../../src/runtime/app-root.js';
import { bundledFfmpeg } from '../../src/runtime/tools.js';
import { writeWorkflowBundle } from '../../src/runtime/workflow-bundle.js';
import { SessionWorkflows } from '../../src/temporal/client.js';
import { Keyring, parseKeyList } from '../../src/crypto/keyring.js';
import { generateVerdictKeys } from '../../src/crypto/verdict-signature.js';
import { MODELS_DIR } from '../paths.js';
import { freePort, freePortWithNext } from './ephemeral-infra.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';
import { findTemporalCli, startTemporalDevServer, type TemporalDevServer } from './temporal-dev-server.js';
import { ServiceProcess, waitForHttp, waitForLogLine } from './service-process.js';

export interface ProcessStackOptions {
  /** Everything the run writes: the database cluster, Temporal's SQLite file, blobs, logs. */
  runDir: string;
  gpuWorkers: number;
  /** The service's upload timeout for this run (UPLOAD_TIMEOUT), e.g. '45s'. */
  uploadTimeout: string;
}

/**
 * The whole service as separate processes, as a deployment runs it: PostgreSQL, a Temporal dev
 * server persisting to SQLite, the API, the orchestration worker and several GPU workers, each
 * of which the chaos run can kill or restart.
 */
export class ProcessStack {
  private postgres: EmbeddedDatabase | undefined;
  private temporal: TemporalDevServer | undefined;
  readonly api: ServiceProcess;
  readonly orchestration: ServiceProcess;
  readonly gpu: ServiceProcess[];
  readonly blobDir: string;

  private constructor(
    private readonly options: ProcessStackOptions,
    readonly ports: { postgres: number; temporal: number; api: number; metrics: number[] },
    private readonly cliPath: string,
    readonly databaseUrl: string,
    readonly env: NodeJS.ProcessEnv,
  ) {
    this.blobDir = path.join(options.runDir, 'blobs');
    const logs = (name: string) => path.join(options.runDir, `${name}.log`);
    const apiUrl = `http://127.0.0.1:${ports.api}`;
    const apiMetrics = ports.metrics[options.gpuWorkers + 1]!;
    this.api = new ServiceProcess('api', 'api-server.ts', { ...env, API_PORT: String(ports.api), METRICS_PORT: String(apiMetrics) }, logs('api'), () => waitForHttp(`${apiUrl}/healthz`, 60_000));
    this.orchestration = new ServiceProcess(
      'orchestration-worker',
      'orchestration-worker.ts',
      { ...env, METRICS_PORT: String(ports.metrics[0]) },
      logs('orchestration-worker'),
      (proc, from) => waitForLogLine(proc, 'orchestration worker running', 90_000, from),
    );
    this.gpu = Array.from({ length: options.gpuWorkers }, (_, i) =>
      new ServiceProcess(
        `gpu-worker-${i + 1}`,
        'gpu-worker.ts',
        { ...env, METRICS_PORT: String(ports.metrics[i + 1]) },
        logs(`gpu-worker-${i + 1}`),
        (proc, from) => waitForLogLine(proc, 'gpu worker running', 90_000, from),
      ),
    );
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.api}`;
  }

  get temporalAddress(): string {
    return `127.0.0.1:${this.ports.temporal}`;
  }

  /** Every process's /metrics (the API's on its own port, the workers' on theirs), and the Temporal SDK's of each worker (the next port). */
  metricsUrls(): Record<string, string> {
    const worker = (name: string, port: number) => ({ [name]: `http://127.0.0.1:${port}/metrics`, [`${name} (Temporal SDK)`]: `http://127.0.0.1:${port + 1}/metrics` });
    return {
      api: `http://127.0.0.1:${this.ports.metrics[this.gpu.length + 1]}/metrics`,
      ...worker('orchestration-worker', this.ports.metrics[0]!),
      ...Object.assign({}, ...this.gpu.map((g, i) => worker(g.name, this.ports.metrics[i + 1]!))),
    } as Record<string, string>;
  }

  /** A Temporal client of this stack's workflows, with its payload keys (for checks and reports). */
  sessionWorkflows(): Promise<SessionWorkflows> {
    return SessionWorkflows.connect({
      address: this.temporalAddress,
      namespace: 'default',
      orchestrationTaskQueue: 'kyc-orchestration',
      gpuTaskQueue: 'face-similarity-gpu',
      webhookTaskQueue: 'kyc-webhooks',
      uploadTimeoutMs: 0,
      tls: { enabled: false },
      payloadKeys: new Keyring(parseKeyList(this.env.TEMPORAL_PAYLOAD_KEYS ?? '')),
    });
  }

  static async start(options: ProcessStackOptions): Promise<ProcessStack> {
    await mkdir(options.runDir, { recursive: true });
    // As root, PostgreSQL runs as its own user, which must be able to enter the run folder.
    await chmod(options.runDir, 0o755);
    const cliPath = findTemporalCli(loadConfig().temporal.cliPath, REPO_ROOT);
    if (!cliPath) throw new Error('Temporal CLI not found: run `npm run temporal:cli`');
    // Each worker serves ours on a port and the Temporal SDK's on the next: two free ports apart.
    const metrics: number[] = [];
    // The orchestration worker, each GPU worker, and the API (its own listener, one port).
    for (let i = 0; i <= options.gpuWorkers + 1; i++) metrics.push(await freePortWithNext());
    const ports = { postgres: await freePort(), temporal: await freePort(), api: await freePort(), metrics };
    const databaseUrl = `postgresql://postgres:postgres@127.0.0.1:${ports.postgres}/kyc_chaos`;
    const bundle = await writeWorkflowBundle(path.join(options.runDir, 'workflow-bundle.js'));
    const verdictKeys = generateVerdictKeys('chaos');
    // Production mode, with every secret a deployment must set: the run checks that configuration too.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KYC_ENV: 'production',
      NODE_ENV: 'production',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
      WORKFLOW_BUNDLE_PATH: bundle,
      TEMPORAL_PAYLOAD_KEYS: `chaos:${randomBytes(32).toString('base64')}`,
      BLOB_DIR: path.join(options.runDir, 'blobs'),
      MODELS_DIR,
      UPLOAD_TIMEOUT: options.uploadTimeout,
      // The run squeezes the upload timeout (1 h in service) to seconds; the claim of a request
      // killed with the API is squeezed with it (30 s in service), or a client locked out of its
      // create retry could find its session expired before its first upload.
      IDEMPOTENCY_CLAIM_TIMEOUT: '5s',
      // The webhook receiver is a plain-HTTP server on loopback.
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      RATE_LIMIT_PER_MINUTE: '100000',
      // Uploads cut off by a killed API leave partial blobs; the sweep must clear them during the run.
      BLOB_SWEEP_INTERVAL: '5s',
      BLOB_SWEEP_GRACE: '15s',
      // Sealing the tenant's webhook secret at rest, as a deployment must.
      WEBHOOK_SECRET_KEYS: `chaos:${randomBytes(32).toString('base64')}`,
      CLIENT_TOKEN_SECRET: randomBytes(32).toString('base64url'),
      VERDICT_SIGNING_KEY: verdictKeys.signingKey,
      VERDICT_PUBLIC_KEYS: verdictKeys.publicKey,
      FFMPEG_PATH: process.env.FFMPEG_PATH ?? bundledFfmpeg(),
    };
    const stack = new ProcessStack(options, ports, cliPath, databaseUrl, env);
    await stack.startPostgres();
    await applyMigrations(databaseUrl, path.join(REPO_ROOT, 'prisma', 'migrations'));
    await stack.startTemporal();
    await Promise.all([stack.api.start(), stack.orchestration.start(), ...stack.gpu.map((g) => g.start())]);
    return stack;
  }

  private async startPostgres(): Promise<void> {
    this.postgres = await startEmbeddedPostgres({ dataDir: path.join(this.options.runDir, 'postgres'), port: this.ports.postgres, database: 'kyc_chaos' });
  }

  private async startTemporal(): Promise<void> {
    this.temporal = await startTemporalDevServer({
      cliPath: this.cliPath,
      port: this.ports.temporal,
      namespace: 'default',
      dbFile: path.join(this.options.runDir, 'temporal.sqlite'),
      searchAttributes: SEARCH_ATTRIBUTES,
    });
  }

  /** A fast shutdown of PostgreSQL and a start on the same cluster: connections drop, data stays. */
  async restartPostgres(): Promise<void> {
    await this.postgres?.stop();
    this.postgres = undefined;
    await this.startPostgres();
  }

  /** Temporal's dev server stopped and started on the same SQLite file: history, timers and queues survive. */
  async restartTemporal(): Promise<void> {
    await this.temporal?.stop();
    this.temporal = undefined;
    await this.startTemporal();
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.api, this.orchestration, ...this.gpu].map((p) => p.stop()));
    await this.temporal?.stop().catch(() => undefined);
    await this.postgres?.stop().catch(() => undefined);
  }
}

