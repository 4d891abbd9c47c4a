// The Temporal CLI is built with Go, and a machine without Go gets a pinned toolchain from the Go
// module proxy (scripts/ensure-go.sh): run with a PATH that has no Go, it yields a working one.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/runtime/app-root.js';

const run = promisify(execFile);

it('provides a go command on a machine without Go, fetched and checked by sha256', async () => {
  const env = { ...process.env, PATH: '/usr/bin:/bin' };
  const onPath = ['/usr/bin/go', '/bin/go'].some((p) => existsSync(p));
  const { stdout } = await run('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-go.sh')], { env, timeout: 300_000 });
  const go = stdout.trim();
  if (!onPath) expect(go).toBe(path.join(REPO_ROOT, '.tools', 'go', 'bin', 'go'));
  const { stdout: version } = await run(go, ['version'], { env: { ...env, GOTOOLCHAIN: 'local' } });
  expect(version).toMatch(/^go version go1\.\d+/);
}, 300_000);
