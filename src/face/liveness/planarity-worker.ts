import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { planarFit, type PlanarFit } from './dense-planarity.js';
import type { FitReply, FitRequest } from './planarity-thread.js';

interface Job {
  resolve: (fit: PlanarFit) => void;
  reject: (err: Error) => void;
  template: Float32Array;
  moving: Float32Array;
}

/**
 * Dense planarity fits (~2 ms each, 8 or so a comparison) on a thread of their own, started as
 * soon as a frame pair exists: on the main thread they were the largest piece of JavaScript left
 * after the frame loop, with the second core idle. Results are the same bits as planarFit's
 * here (same code, same inputs). If the thread cannot start or dies, fits run on this thread:
 * correct, but slower, so it is not silent: logged once as an error, counted per fit (`stats`,
 * and `onInline` for the worker's metric).
 */
export class PlanarityWorker {
  private readonly pending = new Map<number, Job>();
  private nextId = 0;
  private worker: Worker | undefined;
  /** Fits done on the thread and on this one. */
  readonly stats = { threaded: 0, inline: 0 };
  private closed = false;

  constructor(
    private readonly logger: Logger,
    private readonly onInline: () => void = () => undefined,
  ) {
    // From sources (tsx, vitest) the thread loads TypeScript through tsx; built, the .js file.
    const fromSources = import.meta.url.endsWith('.ts');
    const entry = new URL(fromSources ? './planarity-thread.ts' : './planarity-thread.js', import.meta.url);
    try {
      // None of this process's own flags: the thread needs none, and some (--input-type, a test
      // runner's) would stop it from starting.
      this.worker = new Worker(fileURLToPath(entry), { execArgv: fromSources ? ['--import', 'tsx'] : [] });
      // Holds the process open only while fits are outstanding.
      this.worker.unref();
      this.worker.on('message', (reply: FitReply) => this.settle(reply));
      this.worker.on('error', (err) => this.fail(err));
      this.worker.on('exit', (code) => this.fail(new Error(`planarity thread exited with code ${code}`)));
    } catch (err) {
      this.fail(err as Error);
    }
  }

  /** Whether fits go to the thread (false once it has failed or been closed). */
  get threaded(): boolean {
    return this.worker !== undefined;
  }

  fit(template: Float32Array, moving: Float32Array): Promise<PlanarFit> {
    if (!this.worker) return Promise.resolve(this.inline(template, moving));
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, template, moving });
      this.worker!.postMessage({ id, template, moving } satisfies FitRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.closed = true;
    await worker?.terminate();
  }

  private inline(template: Float32Array, moving: Float32Array): PlanarFit {
    this.stats.inline++;
    this.onInline();
    return planarFit(template, moving);
  }

  private settle(reply: FitReply): void {
    const job = this.pending.get(reply.id);
    if (!job) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if ('error' in reply) return job.reject(new Error(reply.error));
    this.stats.threaded++;
    job.resolve({ residual: reply.residual, change: reply.change });
  }

  /** The thread is gone: what it owed is computed here, and so is everything after. */
  private fail(err: Error): void {
    if (this.worker && !this.closed) this.logger.error({ err: err.message }, 'planarity thread failed; fitting on the main thread from now on (slower, same results)');
    this.worker = undefined;
    const jobs = [...this.pending.values()];
    this.pending.clear();
    for (const job of jobs) {
      try {
        job.resolve(this.inline(job.template, job.moving));
      } catch (inlineErr) {
        job.reject(inlineErr as Error);
      }
    }
  }
}
