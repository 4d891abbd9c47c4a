import type { Logger } from 'pino';
import type { BlobStore } from './blob-store.js';

export interface OrphanSweepDeps {
  blobs: Pick<BlobStore, 'list' | 'delete'>;
  /** Of `keys`, those a file row references. */
  referenced: (keys: string[]) => Promise<Set<string>>;
  /** Younger blobs are left alone: an upload may be between its blob and its row. */
  graceMs: number;
  now?: () => number;
}

/**
 * Deletes blobs no file row references once they are older than the grace period: what a crash
 * between writing a blob and recording it (or a write never finished) leaves behind. Rows are
 * looked up in batches; deleting twice (several API replicas) is harmless.
 */
export async function sweepOrphanBlobs(deps: OrphanSweepDeps): Promise<{ examined: number; deleted: string[] }> {
  const cutoff = (deps.now ?? Date.now)() - deps.graceMs;
  const deleted: string[] = [];
  let examined = 0;
  let batch: string[] = [];
  const flush = async () => {
    const kept = await deps.referenced(batch);
    for (const key of batch) {
      if (kept.has(key)) continue;
      await deps.blobs.delete(key);
      deleted.push(key);
    }
    batch = [];
  };
  for await (const blob of deps.blobs.list()) {
    examined++;
    if (blob.modifiedAt.getTime() > cutoff) continue;
    batch.push(blob.key);
    if (batch.length >= 500) await flush();
  }
  if (batch.length > 0) await flush();
  return { examined, deleted };
}

/** Runs the sweep every `everyMs` while the process lives; returns its stop function. */
export function startOrphanBlobSweep(deps: OrphanSweepDeps, logger: Pick<Logger, 'info' | 'warn'>, everyMs: number): () => void {
  const run = async () => {
    try {
      const { examined, deleted } = await sweepOrphanBlobs(deps);
      if (deleted.length > 0) logger.info({ examined, deleted: deleted.length }, 'unreferenced blobs deleted');
    } catch (err) {
      logger.warn({ err }, 'orphan blob sweep failed; next try in the next interval');
    }
  };
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
