import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/runtime/app-root.js';

/** What the production build compiles (tsconfig.build.json) and the images run. */
const PRODUCTION_ENTRIES = ['workers/api-server.ts', 'workers/orchestration-worker.ts', 'workers/gpu-worker.ts', 'scripts/migrate.ts', 'scripts/api-keys.ts', 'scripts/fetch-models.ts', 'src/workflows/index.ts'];

/** Relative imports of one file, resolved to repository paths (.js specifiers name .ts sources). */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(path.join(REPO_ROOT, file), 'utf8'), true, true);
  return importedFiles
    .map((i) => i.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.relative(REPO_ROOT, path.resolve(REPO_ROOT, path.dirname(file), spec)).replace(/\.js$/, '.ts'))
    .filter((target) => existsSync(path.join(REPO_ROOT, target)));
}

function reachableFrom(entries: string[]): Map<string, string> {
  const seen = new Map<string, string>(entries.map((e) => [e, '(entry)']));
  const queue = [...entries];
  for (let file = queue.pop(); file; file = queue.pop()) {
    for (const target of importsOf(file)) {
      if (!seen.has(target)) {
        seen.set(target, file);
        queue.push(target);
      }
    }
  }
  return seen;
}

describe('layering', () => {
  const production = reachableFrom(PRODUCTION_ENTRIES);

  it('production entry points reach no development tooling and no tests', () => {
    const offending = [...production].filter(([file]) => /^(dev|test|bench)\//.test(file)).map(([file, by]) => `${file} (imported by ${by})`);
    expect(production.size).toBeGreaterThan(50);
    expect(offending).toEqual([]);
  });

  it('the API never imports the face pipeline, the activities or the workflows', () => {
    const offending = [...production.keys()]
      .filter((file) => file.startsWith('src/api/'))
      .flatMap((file) => importsOf(file).filter((t) => /^src\/(face|activities|workflows)\//.test(t)).map((t) => `${file} -> ${t}`));
    expect(offending).toEqual([]);
  });

  it('db, media, storage and the contract sit below the pipeline and the API', () => {
    const offending = [...production.keys()]
      .filter((file) => /^src\/(db|media|storage|contract)\//.test(file))
      .flatMap((file) => importsOf(file).filter((t) => /^src\/(face|api|activities)\//.test(t)).map((t) => `${file} -> ${t}`));
    expect(offending).toEqual([]);
  });
});
