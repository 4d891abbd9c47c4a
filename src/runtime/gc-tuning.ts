import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/**
 * For the GPU worker's decoded frames: by default V8 starts a full mark-compact each time
 * external memory has grown by a fixed step; counting external memory within the global heap
 * limit lets the step grow with the heap. Checked on Node 24's V8; older ones lack the flag.
 */
function tuneGcForStreaming(): void {
  if (NODE_MAJOR >= 24) setFlagsFromString('--external-memory-accounted-in-global-limit');
}

/**
 * For the GPU worker, on top of the above: its live heap is small (~17 MB) while every comparison
 * keeps a few megabytes (frames, thumbnails, tensors) alive for its length, so with V8's own
 * heap growth each mark-compact came after 2–3 MB of promotions: 6 a bench:pipeline pass, and
 * with them the GC threads' CPU. Letting the heap grow to 4× its live size between
 * mark-compacts leaves one every few passes; the pass fell from 1646–1685 to 1527–1540 ms
 * (alternating runs) for 80–90 MB more resident memory (docs/develop.md, Benchmarks).
 */
export function tuneGcForFrameAnalysis(): void {
  tuneGcForStreaming();
  setFlagsFromString('--heap-growing-percent=300');
}

/** How far external memory may grow before a scavenge, and how often it is looked at. */
export interface ScavengePacing {
  stepBytes: number;
  everyMs: number;
}

/**
 * For the API, whose garbage is almost all Buffers of arriving bytes (64 KB socket reads, with
 * little JavaScript around them). V8 schedules scavenges by JavaScript allocation, so between two
 * of them 100–170 MB of dead Buffers piled up: 140–150 MB of RSS growth over bench/upload with
 * external memory counted in the global limit (without it V8 marked the whole heap every ~300 ms
 * instead). A minor GC whenever external memory has grown by `stepBytes` frees them while they
 * are young. It is not free: each forced scavenge took 4–13 ms (16 uploads in flight), so the
 * step trades memory for CPU (bench/upload, 16 × 100 MB videos: 32 MB → RSS growth 62–89 MB at
 * ~35% more CPU per MB than without; 64 MB → 120 MB at about the same CPU; docs/develop.md, Benchmarks).
 */
export function scavengeAsBuffersArrive(pacing: ScavengePacing = { stepBytes: 32 * 1024 * 1024, everyMs: 25 }): () => void {
  tuneGcForStreaming();
  setFlagsFromString('--expose-gc');
  // The flag exposes `gc` to contexts created after it; the main context was made before.
  const gc = runInNewContext('gc') as (options: { type: 'minor' | 'major' }) => void;
  let base = getHeapStatistics().external_memory;
  const timer = setInterval(() => {
    const external = getHeapStatistics().external_memory;
    if (external - base < pacing.stepBytes) {
      base = Math.min(base, external);
      return;
    }
    gc({ type: 'minor' });
    base = getHeapStatistics().external_memory;
  }, pacing.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
