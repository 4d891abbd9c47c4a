// Schemathesis generates requests from /openapi.json (valid and invalid: wrong types, missing
// fields, odd strings and bodies) against the real stack; no response may be a 5xx.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/runtime/app-root.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

const SCHEMATHESIS = path.join(REPO_ROOT, '.venv', 'bin', 'schemathesis');
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
});

afterAll(async () => {
  await stack?.stop();
});

it('finds no server error anywhere in the API', async () => {
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      SCHEMATHESIS,
      [
        'run', `${stack.baseUrl}/openapi.json`,
        '--header', `Authorization: Bearer ${stack.apiKey}`,
        '--checks', 'not_a_server_error',
        '--max-examples', '60',
        '--seed', '20261121',
        '--request-timeout', '30',
      ],
      { timeout: 600_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_HOOKS: '' } },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
  console.log(output.split('\n').filter((l) => /passed|failed|error|Summary|operations|test cases|checks/i.test(l)).slice(-15).join('\n'));
  expect(output).not.toMatch(/Server error/i);
  expect(code, output.slice(-4000)).toBe(0);
}, 600_000);
