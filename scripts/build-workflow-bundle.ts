// Writes the workflow bundle production workers load (WORKFLOW_BUNDLE_PATH), default dist/workflow-bundle.js.
import path from 'node:path';
import { writeWorkflowBundle } from '../src/runtime/workflow-bundle.js';

const out = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
await writeWorkflowBundle(out);
console.log(`workflow bundle written to ${out}`);
