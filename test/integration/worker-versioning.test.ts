// A rollout under Worker Versioning on a real Temporal server: the orchestration worker runs as a
// Worker Deployment version and pins each run. A session started while build 1 is current waits
// for its second file while build 2 is rolled out and made current; it finishes on build 1, and a
// session started after the switch runs on build 2 from its first task.
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { workflowIdFor } from '../../src/contract/face-similarity.js';
import { createSession, upload } from '../../dev/api-client.js';
import { fixture } from '../../dev/paths.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

const deploymentName = `kyc-orchestration-${randomUUID().slice(0, 8)}`;
const build1 = { deploymentName, buildId: 'build-1' };
const build2 = { deploymentName, buildId: 'build-2' };

let stack: TestStack;
let stopBuild2: (() => Promise<void>) | undefined;
beforeAll(async () => {
  stack = await startTestStack({ deployment: build1, uploadTimeoutMs: 120_000 });
});
afterAll(async () => {
  await stopBuild2?.();
  await stack?.stop();
});

/** `temporal worker deployment set-current-version`, retried until the version has polled (it exists from then). */
async function setCurrentVersion(buildId: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await stack.workflows.client.workflowService.setWorkerDeploymentCurrentVersion({ namespace: 'default', deploymentName, buildId, identity: 'worker-versioning-test' });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function versioningOf(sessionId: string) {
  const { workflowExecutionInfo } = await stack.workflows.client.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId: workflowIdFor(sessionId) } });
  const info = workflowExecutionInfo?.versioningInfo;
  return { behavior: info?.behavior, buildId: info?.deploymentVersion?.buildId ?? null };
}

/** The build of every workflow task the run's history records as completed. */
async function buildsThatRan(sessionId: string): Promise<string[]> {
  const history = await stack.workflows.client.workflow.getHandle(workflowIdFor(sessionId)).fetchHistory();
  return [...new Set((history.events ?? []).flatMap((e) => (e.workflowTaskCompletedEventAttributes ? [e.workflowTaskCompletedEventAttributes.deploymentVersion?.buildId ?? '(none)'] : [])))];
}

it('keeps a waiting session on the build it started on while new sessions run the new build', async () => {
  await setCurrentVersion(build1.buildId);
  const early = await createSession(stack);
  await upload(stack, early.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'));

  // The rollout: build 2 starts polling and becomes current while the early session waits.
  stopBuild2 = await stack.startWorkflowWorker(build2);
  await setCurrentVersion(build2.buildId);
  const late = await createSession(stack);
  await upload(stack, late.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'));

  for (const id of [early.id, late.id]) await upload(stack, id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
  for (const id of [early.id, late.id]) expect((await stack.outcome(id)).status).toBe('COMPLETED');

  const { VersioningBehavior } = temporal.api.enums.v1;
  expect(await versioningOf(early.id)).toEqual({ behavior: VersioningBehavior.VERSIONING_BEHAVIOR_PINNED, buildId: 'build-1' });
  expect(await versioningOf(late.id)).toEqual({ behavior: VersioningBehavior.VERSIONING_BEHAVIOR_PINNED, buildId: 'build-2' });
  expect(await buildsThatRan(early.id)).toEqual(['build-1']);
  expect(await buildsThatRan(late.id)).toEqual(['build-2']);
}, 240_000);
