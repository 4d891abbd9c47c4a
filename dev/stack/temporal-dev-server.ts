import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';

export interface TemporalDevServer {
  address: string;
  uiUrl?: string;
  stop: () => Promise<void>;
}

export interface DevServerOptions {
  cliPath: string;
  port: number;
  namespace: string;
  /** Omit for an in-memory server (tests); set to persist workflows across restarts. */
  dbFile?: string;
  /** Omit to run headless. */
  uiPort?: number;
  /** The remote codec the UI decodes payloads with (our API's /codec). */
  uiCodecEndpoint?: string;
  searchAttributes?: Record<string, 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime'>;
  /** Dynamic configuration values (`--dynamic-config-value KEY=VALUE`); FAIRNESS by default. */
  dynamicConfig?: Record<string, string | number | boolean>;
  log?: (line: string) => void;
}

/**
 * Task-queue fairness (Temporal server 1.29, matching): the GPU queue dispatches its tasks in
 * turn per tenant (the fairness key the workflow sets), so one tenant's backlog cannot hold every
 * GPU slot. Self-hosted clusters enable it with the same dynamic configuration value; Temporal
 * Cloud enables it per namespace.
 */
export const FAIRNESS = { 'matching.enableFairness': true } as const;

/** The Temporal CLI's path: TEMPORAL_CLI_PATH, then the copy built into .tools/bin, else undefined. */
export function findTemporalCli(configured: string | undefined, repoRoot: string): string | undefined {
  if (configured) return configured;
  const built = path.join(repoRoot, '.tools', 'bin', 'temporal');
  return existsSync(built) ? built : undefined;
}

/** Starts `temporal server start-dev` and resolves once its frontend answers. */
export async function startTemporalDevServer(options: DevServerOptions): Promise<TemporalDevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--namespace', options.namespace, '--log-level', 'warn'];
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  if (options.uiPort && options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  else args.push('--headless');
  for (const [name, type] of Object.entries(options.searchAttributes ?? {})) args.push('--search-attribute', `${name}=${type}`);
  for (const [key, value] of Object.entries(options.dynamicConfig ?? FAIRNESS)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);

  const child = spawn(options.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output.push(text);
    if (output.length > 50) output.shift();
    options.log?.(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const address = `127.0.0.1:${options.port}`;
  try {
    await waitUntilServing(address, options.namespace, child, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`Temporal dev server did not start: ${(err as Error).message}\n${output.join('')}`);
  }
  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    stop: () => stopChild(child),
  };
}

/** True when a Temporal frontend answers at the address within a second or so. */
export async function isTemporalServing(address: string, namespace: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 1000 });
    try {
      await connection.workflowService.describeNamespace({ namespace });
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

async function waitUntilServing(address: string, namespace: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    if (await isTemporalServing(address, namespace)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no answer at ${address} within ${timeoutMs} ms`);
}

export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
