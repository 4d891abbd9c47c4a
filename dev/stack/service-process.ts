import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '../../src/runtime/app-root.js';

/** A service process of the stack that the chaos run can kill and bring back, as a supervisor would. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  /** Exits nobody asked for: a process that died by itself is a finding, not a fault. */
  readonly unplannedExits: { at: number; code: number | null; signal: string | null }[] = [];
  private expectingExit = false;
  private restarting: Promise<void> | undefined;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logFile: string,
    /** Resolves once the process serves (its port answers, its worker polls). */
    private readonly ready: (proc: ServiceProcess, logOffset: number) => Promise<void>,
  ) {}

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** The lines the process has logged so far (JSON, one per line). */
  logPath(): string {
    return this.logFile;
  }

  async start(): Promise<void> {
    this.log ??= createWriteStream(this.logFile, { flags: 'a' });
    this.expectingExit = false;
    const logOffset = await stat(this.logFile).then((s) => s.size, () => 0);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'workers', this.entry)], {
      env: this.env,
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    child.on('exit', (code, signal) => {
      if (this.expectingExit || this.child !== child) return;
      this.unplannedExits.push({ at: Date.now(), code, signal });
      // A supervisor (systemd, Kubernetes) brings a dead service back; so does the chaos run.
      setTimeout(() => void this.start().catch(() => undefined), 1000);
    });
    await this.ready(this, logOffset);
  }

  /** SIGKILL: no shutdown hooks, no draining, as a crash or an OOM kill. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.expectingExit = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** The supervisor's restart after a kill. */
  async restart(): Promise<void> {
    this.restarting ??= this.start().finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  /** SIGTERM and wait: the graceful stop at the end of the run. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    this.expectingExit = true;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
    this.log = undefined;
  }
}

/** Resolves when `url` answers 2xx; rejects after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Resolves when the process has logged a line containing `text` since `fromByte` of its log. */
export async function waitForLogLine(proc: ServiceProcess, text: string, timeoutMs: number, fromByte: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const file = await open(proc.logPath(), 'r').catch(() => undefined);
    if (file) {
      try {
        const { size } = await file.stat();
        const length = Math.max(0, size - fromByte);
        const buffer = Buffer.alloc(length);
        await file.read(buffer, 0, length, fromByte);
        if (buffer.toString('utf8').includes(text)) return;
      } finally {
        await file.close();
      }
    }
    if (Date.now() > deadline) throw new Error(`${proc.name} did not log "${text}" within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
