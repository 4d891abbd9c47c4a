import { setFlagsFromString } from 'node:v8';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/**
 * For a process that streams bytes: the API's uploads, the GPU worker's decoded frames.
 * Buffers are allocated about as fast as bytes arrive, and by default V8 starts a full
 * mark-compact each time external memory has grown by a fixed step, so at 200 MB/s the API
 * marked its whole ~56 MB heap about every 300 ms (bench/upload, 100 MB videos at c16: 57
 * mark-compacts a round, and V8's GC threads used more CPU than the hashing baseline's whole
 * process spent besides its main thread). Counting external memory within the global heap limit
 * lets the step grow with the heap. Checked on Node 24's V8; older ones lack the flag.
 */
export function tuneGcForStreaming(): void {
  if (NODE_MAJOR >= 24) setFlagsFromString('--external-memory-accounted-in-global-limit');
}

/**
 * For the GPU worker, on top of the above: its live heap is small (~17 MB) while every comparison
 * keeps a few megabytes (frames, thumbnails, tensors) alive for its length, so with V8's own
 * heap growth each mark-compact came after 2–3 MB of promotions: 6 a bench:pipeline pass, and
 * with them the GC threads' CPU. Letting the heap grow to 4× its live size between
 * mark-compacts leaves one every few passes; the pass fell from 1646–1685 to 1527–1540 ms
 * (alternating runs) for 80–90 MB more resident memory (README, Benchmarks).
 */
export function tuneGcForFrameAnalysis(): void {
  tuneGcForStreaming();
  setFlagsFromString('--heap-growing-percent=300');
}
