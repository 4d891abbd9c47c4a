import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HashReply, HashRequest } from './file-hash-worker.js';

/** One progress message per this many bytes keeps the worker close behind the writer. */
const REPORT_EVERY_BYTES = 1024 * 1024;

/** The hashing of one file that is being written. */
export interface HashJob {
  /** The writer has written the file's first `bytes` bytes. */
  written(bytes: number): void;
  /** The file is complete at `bytes` bytes: resolves with its sha256 (hex). */
  finish(bytes: number): Promise<string>;
  /** The write failed: stop following the file. */
  abandon(): void;
}

/**
 * Computes the sha256 of uploads on a worker thread that reads each file back just behind its
 * writer, so hashing costs the event loop nothing. Inline, hashing took 38% of the API's
 * main-thread time at 16 concurrent 100 MB uploads (8.8 of 23.3 s in a CPU profile), and the
 * main thread was the bottleneck; with this, its CPU time per MB received fell from 2.3–2.5 ms
 * to 1.4–1.5 ms (bench/upload). Handing the chunks themselves to a thread cost more than it
 * saved (a copy and a message per 64 KB); reading the file back costs one page-cache copy, off
 * the event loop.
 */
export class FileHasher {
  private worker: Worker | undefined;
  private nextId = 1;
  /** Jobs not finished yet, with how their `finish` is answered once it has been called. */
  private readonly jobs = new Map<number, JobState>();

  follow(file: string): HashJob {
    const id = this.nextId++;
    const worker = this.workerThread();
    const state: JobState = {};
    this.jobs.set(id, state);
    // The thread keeps the process alive only while a job is open: an idle hasher must not.
    if (this.jobs.size === 1) worker.ref();
    worker.postMessage({ type: 'follow', id, file } satisfies HashRequest);
    let reported = 0;
    return {
      written: (bytes) => {
        if (bytes - reported < REPORT_EVERY_BYTES || state.failure) return;
        reported = bytes;
        worker.postMessage({ type: 'written', id, bytes } satisfies HashRequest);
      },
      finish: (bytes) =>
        new Promise<string>((resolve, reject) => {
          if (state.failure) {
            this.end(id);
            return reject(state.failure);
          }
          state.waiter = { resolve, reject };
          worker.postMessage({ type: 'finish', id, bytes } satisfies HashRequest);
        }),
      abandon: () => {
        if (!this.end(id)) return;
        worker.postMessage({ type: 'abandon', id } satisfies HashRequest);
      },
    };
  }

  /** Stops the worker thread; jobs still running fail. */
  async close(): Promise<void> {
    await this.worker?.terminate();
  }

  private workerThread(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker();
    worker.on('message', (reply: HashReply) => {
      const state = this.jobs.get(reply.id);
      if (!state) return;
      if (reply.type === 'digest') {
        this.end(reply.id);
        return state.waiter?.resolve(reply.sha256);
      }
      this.fail(reply.id, state, new Error(`hashing the upload failed: ${reply.message}`));
    });
    const failAll = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const [id, state] of this.jobs) this.fail(id, state, err);
    };
    worker.on('error', (err) => failAll(new Error(`the hashing thread failed: ${err.message}`)));
    worker.on('exit', (code) => failAll(new Error(`the hashing thread stopped (exit code ${code})`)));
    // After the listeners: adding a 'message' listener refs the thread again.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** Rejects the job's `finish`, now if it is waiting, or when it is called. */
  private fail(id: number, state: JobState, err: Error): void {
    if (!state.waiter) {
      state.failure ??= err;
      return;
    }
    this.end(id);
    state.waiter.reject(err);
  }

  /** Forgets a settled job; false if it was already forgotten. */
  private end(id: number): boolean {
    if (!this.jobs.delete(id)) return false;
    if (this.jobs.size === 0) this.worker?.unref();
    return true;
  }
}

interface JobState {
  waiter?: { resolve: (sha256: string) => void; reject: (err: Error) => void };
  failure?: Error;
}

function startWorker(): Worker {
  const compiled = new URL('./file-hash-worker.js', import.meta.url);
  if (existsSync(compiled)) return new Worker(compiled);
  // From the TypeScript sources (tsx, vitest) the thread loads the worker through tsx's require
  // hook: Node 20 does not apply `--import tsx` inside worker threads. No inherited flags, so the
  // bootstrap runs as CommonJS even under `--input-type=module`.
  const require = createRequire(import.meta.url);
  const source = fileURLToPath(new URL('./file-hash-worker.ts', import.meta.url));
  const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(source)});`;
  return new Worker(bootstrap, { eval: true, execArgv: [] });
}
