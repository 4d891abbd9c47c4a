/**
 * The one contract of FaceSimilarityWorkflow, by topic: the workflow (workflow.ts), the files and
 * rejection reasons (media.ts), liveness (liveness.ts), results (result.ts), retention
 * (retention.ts), human review (review.ts) and the schemas every message is checked against (schemas.ts). The API, both
 * workers, the workflow and the tests import it from here.
 */
export * from './workflow.js';
export * from './media.js';
export * from './liveness.js';
export * from './result.js';
export * from './retention.js';
export * from './review.js';
export * from './schemas.js';
