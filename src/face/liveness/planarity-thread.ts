// Thread entry of planarity-worker.ts: dense planarity fits off the pipeline's main thread.
import { parentPort } from 'node:worker_threads';
import { planarFit } from './dense-planarity.js';

export interface FitRequest {
  id: number;
  template: Float32Array;
  moving: Float32Array;
}

export type FitReply = { id: number; residual: number; change: number } | { id: number; error: string };

parentPort?.on('message', ({ id, template, moving }: FitRequest) => {
  let reply: FitReply;
  try {
    reply = { id, ...planarFit(template, moving) };
  } catch (err) {
    reply = { id, error: (err as Error).message };
  }
  parentPort!.postMessage(reply);
});
