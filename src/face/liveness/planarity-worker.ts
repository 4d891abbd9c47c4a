import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { PlanarityPairs, type PlanarityResidual } from './checks.js';
import { planarFit, type PlanarFit } from './dense-planarity.js';
import type { FrameEvidence } from './evidence.js';
import type { FitReply, FitRequest } from './planarity-thread.js';

interface Job {
  resolve: (fit: PlanarFit) => void;
  reject: (err: Error) => void;
  template: Float32Array;
  moving: Float32Array;
}

/** planarFit here, settling `job` either way. */
function fitInline(job: Job): void {
  try {
    job.resolve(planarFit(job.template, job.moving));
  } catch (err) {
    job.reject(err as Error);
  }
}

/**
 * Dense planarity fits (~2 ms each, 8 or so a comparison) on a thread of their own, started as
 * soon as a frame pair exists: on the main thread they were the largest piece of JavaScript left
 * after the frame loop, with the second core idle. Results are the same bits as planarFit's
 * here (same code, same inputs); if the thread fails, fits run inline.
 */
export class PlanarityWorker {
  private readonly pending = new Map<number, Job>();
  private nextId = 0;
  private worker: Worker | undefined;

  constructor(private readonly logger: Logger) {
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
    if (!this.worker) return Promise.resolve(planarFit(template, moving));
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
    await worker?.terminate();
  }

  private settle(reply: FitReply): void {
    const job = this.pending.get(reply.id);
    if (!job) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if ('error' in reply) job.reject(new Error(reply.error));
    else job.resolve({ residual: reply.residual, change: reply.change });
  }

  /** The thread is gone: what it owed is computed here, and so is everything after. */
  private fail(err: Error): void {
    if (this.worker) this.logger.warn({ err: err.message }, 'planarity thread failed; fitting on the main thread');
    this.worker = undefined;
    const jobs = [...this.pending.values()];
    this.pending.clear();
    for (const job of jobs) fitInline(job);
  }
}

/**
 * One comparison's planarity fits: each pair goes to the thread as soon as its later frame is
 * in; `residuals` waits for them and answers parallaxCheck's lookups (pairs it did not fit, the
 * short-clip fallback, are fitted there as before).
 */
export class PlanarityFits {
  private readonly pairs: PlanarityPairs;
  private readonly fits = new Map<Float32Array, Map<Float32Array, Promise<PlanarFit>>>();

  constructor(
    private readonly worker: PlanarityWorker,
    gapMs: number,
  ) {
    this.pairs = new PlanarityPairs(gapMs);
  }

  /** The next frame with a face, in order. */
  add(frame: FrameEvidence): void {
    for (const [a, b] of this.pairs.add(frame)) {
      const template = a.face!.alignedPatch;
      const moving = b.face!.alignedPatch;
      const fit = this.worker.fit(template, moving);
      fit.catch(() => undefined);
      let row = this.fits.get(template);
      if (!row) this.fits.set(template, (row = new Map<Float32Array, Promise<PlanarFit>>()));
      row.set(moving, fit);
    }
  }

  async residuals(): Promise<PlanarityResidual> {
    const known = new Map<Float32Array, Map<Float32Array, number>>();
    for (const [template, row] of this.fits) {
      const values = new Map<Float32Array, number>();
      for (const [moving, fit] of row) values.set(moving, (await fit).residual);
      known.set(template, values);
    }
    return (template, moving) => known.get(template)?.get(moving) ?? planarFit(template, moving).residual;
  }
}
