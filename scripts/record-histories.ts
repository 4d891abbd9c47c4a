// `npm run histories:record`: runs every scenario of FaceSimilarityWorkflow end to end on a
// throwaway Temporal dev server and PostgreSQL with the real workers, API and models, and saves
// each history as test/histories/<scenario>_<version>.json for the replay test.
//   npm run histories:record                 record all scenarios
//   npm run histories:record -- expired      record only the named ones
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LIVENESS_REPORT_ONLY, WORKFLOW_HISTORY_VERSION, workflowIdFor } from '../src/contract/face-similarity.js';
import { startEphemeralInfra } from '../dev/stack/ephemeral-infra.js';
import { startInProcessStack, type InProcessStack } from '../dev/stack/in-process-stack.js';
import { loadConfig } from '../src/config/config.js';
import { REPO_ROOT } from '../src/runtime/app-root.js';
import { findTemporalCli } from '../dev/stack/temporal-dev-server.js';
import { createSession, getSession, upload } from '../dev/api-client.js';
import { createKycClient } from '../clients/typescript/src/index.js';
import { TenantStore } from '../src/db/tenant-store.js';
import { quietLogger, sharedPipeline, testConfig } from '../dev/face-pipeline.js';
import { failFirstOpen } from '../dev/faults.js';
import { imageWithoutFace, videoFromImage } from '../dev/media.js';
import { fixture } from '../dev/paths.js';
import { installQuietTemporalRuntime } from '../dev/temporal-runtime.js';

const OUT_DIR = path.join(REPO_ROOT, 'test', 'histories');

type Upload = [kind: 'ID_IMAGE' | 'SELFIE_VIDEO', file: string];
interface Scenario {
  stack: 'normal' | 'shortTimeout' | 'flakyStorage';
  uploads: (media: Media) => Upload[];
  /** The tenant sends every decision to review, and a reviewer rejects it (v8 on). */
  reviewed?: boolean;
}
interface Media {
  obamaVideo: string;
  noFace: string;
}

const scenarios: Record<string, Scenario> = {
  image_then_video: { stack: 'normal', uploads: (m) => [['ID_IMAGE', fixture('obama.jpg')], ['SELFIE_VIDEO', m.obamaVideo]] },
  video_then_image: { stack: 'normal', uploads: (m) => [['SELFIE_VIDEO', m.obamaVideo], ['ID_IMAGE', fixture('obama.jpg')]] },
  expired: { stack: 'shortTimeout', uploads: () => [['ID_IMAGE', fixture('obama.jpg')]] },
  activity_failed_once: { stack: 'flakyStorage', uploads: (m) => [['ID_IMAGE', fixture('obama.jpg')], ['SELFIE_VIDEO', m.obamaVideo]] },
  rejected_no_face: { stack: 'normal', uploads: (m) => [['ID_IMAGE', m.noFace], ['SELFIE_VIDEO', m.obamaVideo]] },
  duplicate_upload_signals: {
    stack: 'normal',
    uploads: (m) => [['ID_IMAGE', fixture('obama.jpg')], ['ID_IMAGE', fixture('obama.jpg')], ['SELFIE_VIDEO', m.obamaVideo]],
  },
  reviewed_by_a_person: { stack: 'normal', reviewed: true, uploads: (m) => [['ID_IMAGE', fixture('obama.jpg')], ['SELFIE_VIDEO', m.obamaVideo]] },
  reupload_replaces_file: {
    stack: 'normal',
    uploads: (m) => [['ID_IMAGE', fixture('biden.jpg')], ['ID_IMAGE', fixture('obama.jpg')], ['SELFIE_VIDEO', m.obamaVideo]],
  },
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in scenarios));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}`);
  const names = wanted.length > 0 ? wanted : Object.keys(scenarios);

  installQuietTemporalRuntime();
  const infra = await startEphemeralInfra();
  const mediaDir = await mkdtemp(path.join(tmpdir(), 'kyc-record-'));
  try {
    const media: Media = {
      obamaVideo: await videoFromImage(fixture('obama2.jpg'), path.join(mediaDir, 'obama2.mp4')),
      noFace: await imageWithoutFace(path.join(mediaDir, 'no-face.jpg')),
    };
    const base = {
      databaseUrl: infra.databaseUrl,
      temporalAddress: infra.temporalAddress,
      workflowBundlePath: infra.workflowBundlePath,
      config: testConfig(),
      logger: quietLogger(),
      pipeline: await sharedPipeline(),
      // The scenarios use videos of still photos: liveness reported, so the same paths are recorded.
      liveness: LIVENESS_REPORT_ONLY,
    };
    await mkdir(OUT_DIR, { recursive: true });
    for (const name of names) {
      const scenario = scenarios[name]!;
      const stack = await startInProcessStack({
        ...base,
        ...(scenario.stack === 'shortTimeout' ? { uploadTimeoutMs: 1500 } : {}),
        ...(scenario.stack === 'flakyStorage' ? { gpuBlobs: failFirstOpen } : {}),
      });
      try {
        const reviewer = scenario.reviewed ? await reviewerFor(stack) : undefined;
        const file = await record(stack, infra.temporalAddress, name, scenario.uploads(media), reviewer);
        console.log(`recorded ${path.relative(REPO_ROOT, file)}`);
      } finally {
        await stack.stop();
      }
    }
  } finally {
    await rm(mediaDir, { recursive: true, force: true });
    await infra.stop();
  }
}

/** A review policy on the stack's tenant and a reviewer key to decide with. */
async function reviewerFor(stack: InProcessStack): Promise<string> {
  const tenants = new TenantStore(stack.db);
  await tenants.setReviewPolicy(stack.tenantId, { always: true });
  return (await tenants.createKey(stack.tenantId, 'recorder', 'REVIEWER')).key;
}

async function record(stack: InProcessStack, address: string, name: string, uploads: Upload[], reviewerKey?: string): Promise<string> {
  const session = await createSession(stack);
  for (const [kind, file] of uploads) {
    const res = await upload(stack, session.id, kind, file);
    if (res.status >= 300) throw new Error(`${name}: upload ${kind} got HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
  if (reviewerKey) {
    while ((await getSession(stack, session.id)).body.status !== 'NEEDS_REVIEW') await new Promise((resolve) => setTimeout(resolve, 200));
    const reviewer = createKycClient({ baseUrl: stack.baseUrl, token: reviewerKey });
    const { response, error } = await reviewer.raw.POST('/v1/sessions/{id}/review', {
      params: { path: { id: session.id }, header: { 'idempotency-key': 'record-1' } },
      body: { decision: 'REJECT', reasonCode: 'DIFFERENT_PERSON' },
    });
    if (response.status !== 200) throw new Error(`${name}: review got HTTP ${response.status} ${JSON.stringify(error)}`);
  }
  const outcome = await stack.outcome(session.id);
  // The CLI's JSON is the format Temporal UI downloads and Worker.runReplayHistories reads.
  const cli = findTemporalCli(loadConfig().temporal.cliPath, REPO_ROOT)!;
  const { stdout } = await promisify(execFile)(
    cli,
    ['workflow', 'show', '--workflow-id', workflowIdFor(session.id), '--address', address, '--output', 'json'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const file = path.join(OUT_DIR, `${name}_${WORKFLOW_HISTORY_VERSION}.json`);
  await writeFile(file, `${JSON.stringify(JSON.parse(stdout), null, 1)}\n`);
  console.log(`${name}: ${outcome.status}${outcome.status === 'COMPLETED' ? ` match=${outcome.result.match}` : ''}`);
  return file;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
