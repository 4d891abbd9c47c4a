import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_TRACING_INTERCEPTORS } from '../observability/tracing.js';
import { WORKFLOWS_ENTRY } from './workflow-source.js';

/** Bundles src/workflows once, as production workers and the replay tests load it. */
export async function writeWorkflowBundle(outFile: string, workflowsPath = WORKFLOWS_ENTRY): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: [WORKFLOW_TRACING_INTERCEPTORS], logger: silentLogger });
  await mkdir(path.dirname(outFile), { recursive: true });
  await writeFile(outFile, code);
  return outFile;
}

const noop = () => undefined;
const silentLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };
