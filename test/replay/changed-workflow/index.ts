// A deliberately non-deterministic edit of FaceSimilarityWorkflow for the negative replay test:
// the bookkeeping activity is called before waiting for the files, as a careless refactor might.
import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createGpuActivities } from '../../../src/activities/gpu-activities.js';
import type { createOrchestrationActivities } from '../../../src/activities/orchestration-activities.js';
import {
  FILE_KINDS,
  fileUploadedSignal,
  type FaceSimilarityInput,
  type FaceSimilarityOutcome,
  type FileKind,
  type FileRef,
} from '../../../src/contract/face-similarity.js';

const orchestration = proxyActivities<ReturnType<typeof createOrchestrationActivities>>({ startToCloseTimeout: '30 seconds' });

export async function faceSimilarityWorkflow(input: FaceSimilarityInput): Promise<FaceSimilarityOutcome> {
  const files: Partial<Record<FileKind, FileRef>> = {};
  setHandler(fileUploadedSignal, (ref) => {
    files[ref.kind] = ref;
  });
  await orchestration.markSessionProcessing({ sessionId: input.sessionId }); // moved before the wait
  const ready = await condition(() => files.ID_IMAGE !== undefined && files.SELFIE_VIDEO !== undefined, input.uploadTimeoutMs);
  if (!ready || !files.ID_IMAGE || !files.SELFIE_VIDEO) {
    return { status: 'EXPIRED', missing: FILE_KINDS.filter((kind) => files[kind] === undefined) };
  }
  const gpu = proxyActivities<ReturnType<typeof createGpuActivities>>({ taskQueue: input.gpuTaskQueue, startToCloseTimeout: '5 minutes' });
  const result = await gpu.compareFaces({ sessionId: input.sessionId, idImage: files.ID_IMAGE, selfieVideo: files.SELFIE_VIDEO });
  return { status: 'COMPLETED', result };
}
