// Entry point of the workflow bundle: every workflow the orchestration worker runs.
export { faceSimilarityWorkflow } from './face-similarity.js';
export { retentionSweepWorkflow } from './retention.js';
