import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WorkerOptions } from '@temporalio/worker';

const sourceEntry = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** The workflows' entry module: the TypeScript source in a checkout, the compiled file in dist/. */
export const WORKFLOWS_ENTRY = existsSync(sourceEntry) ? sourceEntry : sourceEntry.replace(/\.ts$/, '.js');

/** A prebuilt bundle when one is configured (production), the workflow sources otherwise (dev, tests). */
export function workflowSource(bundlePath: string | undefined): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (bundlePath) {
    if (!existsSync(bundlePath)) throw new Error(`WORKFLOW_BUNDLE_PATH ${bundlePath} does not exist; run \`npm run build\``);
    return { workflowBundle: { codePath: bundlePath } };
  }
  return { workflowsPath: WORKFLOWS_ENTRY };
}
