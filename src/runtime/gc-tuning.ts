import { setFlagsFromString } from 'node:v8';

/**
 * For a process that streams uploads: Buffers are allocated about as fast as bytes arrive, and by
 * default V8 starts a full mark-compact each time external memory has grown by a fixed step, so
 * at 200 MB/s the API marked its whole ~56 MB heap about every 300 ms (bench/upload, 100 MB videos
 * at c16: 57 mark-compacts a round, and V8's GC threads used more CPU than the hashing baseline's
 * whole process spent besides its main thread). Counting external memory within the global heap
 * limit lets the step grow with the heap. Checked on Node 24's V8; older ones lack the flag.
 */
export function tuneGcForStreaming(): void {
  if (Number(process.versions.node.split('.')[0]) >= 24) setFlagsFromString('--external-memory-accounted-in-global-limit');
}
