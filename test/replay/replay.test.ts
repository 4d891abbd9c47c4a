// Replays every recorded history in test/histories against the current workflow code, bundled
// exactly as production workers load it, and proves the check can fail with a changed workflow.
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/runtime/app-root.js';
import { writeWorkflowBundle } from '../../src/runtime/workflow-bundle.js';
import { installQuietTemporalRuntime } from '../../dev/temporal-runtime.js';
import { TEST_PAYLOAD_KEYS } from '../../dev/test-keys.js';
import { dataConverterFor } from '../../src/temporal/payload-codec.js';
import { Keyring, parseKeyList } from '../../src/crypto/keyring.js';

/**
 * Histories from v6 on are sealed with the test key; older ones were recorded in clear, which a
 * worker accepts only when told to (TEMPORAL_PAYLOAD_ACCEPT_PLAINTEXT, while such runs drain).
 */
const TEST_DATA_CONVERTER = dataConverterFor(new Keyring(parseKeyList(TEST_PAYLOAD_KEYS)), { acceptPlaintext: true });

const HISTORIES_DIR = path.join(REPO_ROOT, 'test', 'histories');
const HISTORY_FILES = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();
const CHANGED_WORKFLOW = fileURLToPath(new URL('./changed-workflow/index.ts', import.meta.url));

let tmp: string;
let currentBundle: string;
let changedBundle: string;

beforeAll(async () => {
  installQuietTemporalRuntime();
  tmp = await mkdtemp(path.join(tmpdir(), 'kyc-replay-'));
  [currentBundle, changedBundle] = await Promise.all([
    writeWorkflowBundle(path.join(tmp, 'current.js')),
    writeWorkflowBundle(path.join(tmp, 'changed.js'), CHANGED_WORKFLOW),
  ]);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function replay(bundlePath: string, file: string) {
  const history: unknown = JSON.parse(await readFile(path.join(HISTORIES_DIR, file), 'utf8'));
  const results = Worker.runReplayHistories({ workflowBundle: { codePath: bundlePath }, replayName: file, dataConverter: TEST_DATA_CONVERTER }, [
    { workflowId: file, history },
  ]);
  for await (const result of results) return result.error;
  throw new Error(`${file}: replay produced no result`);
}

describe('recorded histories', () => {
  it('cover the required scenarios', () => {
    const scenarios = new Set(HISTORY_FILES.map((f) => f.replace(/_v\d+\.json$/, '')));
    for (const s of ['image_then_video', 'video_then_image', 'expired', 'activity_failed_once', 'rejected_no_face', 'duplicate_upload_signals', 'reupload_replaces_file', 'reviewed_by_a_person']) {
      expect(scenarios, `missing history for ${s}`).toContain(s);
    }
  });

  it.each(HISTORY_FILES)('%s replays deterministically against the current workflow', async (file) => {
    const error = await replay(currentBundle, file);
    expect(error, `${file}: ${error?.message}`).toBeUndefined();
  });
});

describe('a non-deterministic change', () => {
  it.each(HISTORY_FILES)('fails replay of %s with a determinism violation', async (file) => {
    const error = await replay(changedBundle, file);
    expect(error, `${file} replayed against the changed workflow without error`).toBeInstanceOf(DeterminismViolationError);
  });
});
