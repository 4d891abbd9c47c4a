import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json, from sources (src/) and from compiled output (dist/src/) alike. */
function findRepoRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist') {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));

/** The team's offline copy of the models, beside the checkout; a missing folder is simply skipped. */
export function defaultMirrorDir(): string {
  return path.resolve(REPO_ROOT, '..', 'shared', 'models');
}
