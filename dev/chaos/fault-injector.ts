import type { Pool } from 'pg';
import type { ProcessStack } from '../stack/process-stack.js';
import type { ServiceProcess } from '../stack/service-process.js';

export const FAULT_KINDS = ['gpu-worker-kill', 'orchestration-worker-kill', 'api-kill', 'temporal-restart', 'postgres-restart'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface InjectedFault {
  kind: FaultKind;
  target: string;
  /** The fault began (kill sent, stop begun). */
  at: number;
  /** The service answered again. */
  recoveredAt: number;
  /** Comparison keys whose inference the kill interrupted (GPU worker kills). */
  keysHit: string[];
  note?: string;
}

export interface InjectorHooks {
  /** Uploads on the wire now: the API is killed while some are. */
  inFlightUploads: () => number;
  stopRequested: () => boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Injects the planned faults one after another at random moments: each waits a random gap, and
 * the kills wait for the moment that hurts (an inference running on the worker, an upload on the
 * wire). Killed processes come back after a short random delay, as under a supervisor.
 */
export class FaultInjector {
  readonly injected: InjectedFault[] = [];

  constructor(
    private readonly stack: ProcessStack,
    private readonly pool: Pool,
    private readonly random: () => number,
    private readonly log: (line: string) => void,
  ) {}

  async run(plan: FaultKind[], gapMs: [number, number], hooks: InjectorHooks): Promise<void> {
    for (const kind of plan) {
      await sleep(gapMs[0] + this.random() * (gapMs[1] - gapMs[0]));
      const fault = await this.inject(kind, hooks);
      this.injected.push(fault);
      this.log(`fault ${this.injected.length}/${plan.length}: ${kind} on ${fault.target}, back after ${fault.recoveredAt - fault.at} ms` +
        (fault.keysHit.length ? `, interrupted ${fault.keysHit.length} inference(s)` : '') + (fault.note ? ` (${fault.note})` : ''));
    }
  }

  private async inject(kind: FaultKind, hooks: InjectorHooks): Promise<InjectedFault> {
    switch (kind) {
      case 'gpu-worker-kill':
        return this.killGpuWorkerMidInference(hooks);
      case 'orchestration-worker-kill':
        return this.killAndRestart(kind, this.stack.orchestration, []);
      case 'api-kill': {
        // Uploads on loopback take tens of ms: look often, and strike a few ms into one.
        const waited = await this.waitFor(() => hooks.inFlightUploads() > 0, 30_000, hooks, 2);
        await sleep(this.random() * 10);
        return this.killAndRestart(kind, this.stack.api, [], waited ? `${hooks.inFlightUploads()} upload(s) on the wire` : 'no upload was on the wire');
      }
      case 'temporal-restart': {
        const at = Date.now();
        await this.stack.restartTemporal();
        return { kind, target: 'temporal', at, recoveredAt: Date.now(), keysHit: [] };
      }
      case 'postgres-restart': {
        const at = Date.now();
        await this.stack.restartPostgres();
        return { kind, target: 'postgres', at, recoveredAt: Date.now(), keysHit: [] };
      }
    }
  }

  /** SIGKILL the GPU worker that holds a comparison's lease right now, i.e. is mid-inference. */
  private async killGpuWorkerMidInference(hooks: InjectorHooks): Promise<InjectedFault> {
    let victim: { worker: ServiceProcess; keys: string[] } | undefined;
    await this.waitFor(async () => {
      const { rows } = await this.pool
        .query<{ comparison_key: string; lease_owner: string }>(
          `SELECT comparison_key, lease_owner FROM face_comparisons WHERE status = 'RUNNING' AND lease_expires_at > now()`,
        )
        .catch(() => ({ rows: [] as { comparison_key: string; lease_owner: string }[] }));
      const candidates = this.stack.gpu.flatMap((worker) => {
        const keys = rows.filter((r) => worker.pid !== undefined && leaseHolderPid(r.lease_owner) === worker.pid).map((r) => r.comparison_key);
        return keys.length ? [{ worker, keys }] : [];
      });
      victim = candidates[Math.floor(this.random() * candidates.length)];
      return victim !== undefined;
    }, 60_000, hooks);
    const worker = victim?.worker ?? this.stack.gpu[Math.floor(this.random() * this.stack.gpu.length)]!;
    return this.killAndRestart('gpu-worker-kill', worker, victim?.keys ?? [], victim ? undefined : 'no inference was running');
  }

  private async killAndRestart(kind: FaultKind, proc: ServiceProcess, keysHit: string[], note?: string): Promise<InjectedFault> {
    const at = Date.now();
    await proc.kill();
    await sleep(1000 + this.random() * 2000);
    await proc.restart();
    return { kind, target: proc.name, at, recoveredAt: Date.now(), keysHit, ...(note ? { note } : {}) };
  }

  private async waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, hooks: InjectorHooks, pollMs = 50): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !hooks.stopRequested()) {
      if (await condition()) return true;
      await sleep(pollMs);
    }
    return false;
  }
}

/** The process id in a comparison's lease owner (`host:pid/...`, gpu-activities.ts). */
export function leaseHolderPid(owner: string): number | undefined {
  const match = /^[^/]*:(\d+)\//.exec(owner);
  return match ? Number(match[1]) : undefined;
}
