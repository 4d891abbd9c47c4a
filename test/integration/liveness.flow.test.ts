// Liveness end to end, as a mobile app drives it: HTTP uploads -> workflow -> GPU activity on
// the real models -> REJECTED with a LIVENESS_* reason or COMPLETED, on a real Temporal server and
// database, with the tenant's modes taken from its policy.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, getSession, upload } from '../../dev/api-client.js';
import { attackVideo, genuineVideo, idFrameOf } from '../../dev/liveness-cases.js';
import { filmedCardVideo, idCardImage, screenReplayVideo, tiltedPhotoVideo, turnBothWaysVideo, videoDurationMs as durationOf, videoFromImage } from '../../dev/media.js';
import { fixture } from '../../dev/paths.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

let media: string;
const file = (name: string) => path.join(media, name);

beforeAll(async () => {
  media = await mkdtemp(path.join(tmpdir(), 'kyc-liveness-e2e-'));
});
afterAll(async () => rm(media, { recursive: true, force: true }));

async function run(stack: TestStack, idImage: string, video: string) {
  const session = await createSession(stack);
  for (const [kind, f] of [['ID_IMAGE', idImage], ['SELFIE_VIDEO', video]] as const) {
    const res = await upload(stack, session.id, kind, f);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  const outcome = await stack.outcome(session.id);
  return { session, outcome, view: (await getSession(stack, session.id)).body };
}

describe('the service defaults (no tenant policy): attacks are REJECTED with their reason', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ liveness: {} });
  });
  afterAll(async () => stack?.stop());

  it('a genuine selfie matches and its liveness block explains the verdict', async () => {
    const video = genuineVideo('videoretalking_face4.mp4');
    const { outcome, view } = await run(stack, await idFrameOf(video, await durationOf(video), media), video);
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: { match: true, livenessVerdict: 'PASS' } });
    expect(view.liveness?.checks.map((c) => [c.check, c.mode])).toEqual([
      ['motion', 'enforce'],
      ['parallax', 'enforce'],
      ['antiSpoof', 'enforce'],
      ['documentReplay', 'enforce'],
      ['challenge', 'off'],
    ]);
    const antiSpoof = view.liveness!.checks.find((c) => c.check === 'antiSpoof')!;
    expect(antiSpoof.model).toMatch(/^minifasnet-v2-2\.7@4433e871ef03\+minifasnet-v1se-4\.0@a8e67ffbaf39$/);
    expect(antiSpoof.framesUsed.length).toBeGreaterThan(0);
    expect(antiSpoof.score!).toBeGreaterThanOrEqual(antiSpoof.threshold);
  });

  it.each([
    ['a still photo looped into a video', 'LIVENESS_NO_MOTION', () => videoFromImage(fixture('obama2.jpg'), file('still.mp4'), { seconds: 3 }), fixture('obama.jpg')],
    ['the ID photo itself looped into a video', 'LIVENESS_DOCUMENT_REPLAY', () => videoFromImage(fixture('obama.jpg'), file('loop.mp4'), { seconds: 3 }), fixture('obama.jpg')],
    ['a printed photo tilted in front of the camera', 'LIVENESS_PLANAR_FACE', () => tiltedPhotoVideo(fixture('obama2.jpg'), file('tilt.mp4')), fixture('obama.jpg')],
    ['a photo composited onto a screen drifting across the frame', 'LIVENESS_PLANAR_FACE', () => screenReplayVideo(fixture('biden2.jpg'), file('screen.mp4')), fixture('biden.jpg')],
    ['a phone replay filmed by another camera', 'LIVENESS_PLANAR_FACE', () => Promise.resolve(attackVideo('silentface_demo_seg2_phone_replay.mp4')), null],
  ] as const)('%s: %s', async (_label, reason, makeVideo, idImage) => {
    const video = await makeVideo();
    const { outcome, view } = await run(stack, idImage ?? (await idFrameOf(video, await durationOf(video), media)), video);
    expect(outcome).toMatchObject({ status: 'REJECTED', reason });
    expect(view).toMatchObject({ status: 'REJECTED', rejectionReason: reason, result: null, liveness: { verdict: 'FAIL' } });
  });

  it('the ID card filmed close up: rejected, never a strong match', async () => {
    const card = await idCardImage(fixture('biden2.jpg'), file('card.png'));
    const { outcome, view } = await run(stack, card, await filmedCardVideo(card, file('card.mp4')));
    expect(outcome.status).toBe('REJECTED');
    expect(view.rejectionReason).toMatch(/^LIVENESS_(DOCUMENT_REPLAY|PRESENTATION_ATTACK)$/);
    expect(view.liveness?.checks.filter((c) => c.verdict === 'FAIL').map((c) => c.check)).toEqual(expect.arrayContaining(['antiSpoof']));
  });
});

describe('per-tenant modes', () => {
  it('report: the failing checks are returned and the session completes', async () => {
    const stack = await startTestStack({ liveness: { motion: 'report', parallax: 'report', documentReplay: 'report' } });
    try {
      const { outcome, view } = await run(stack, fixture('obama.jpg'), await videoFromImage(fixture('obama.jpg'), file('report.mp4'), { seconds: 3 }));
      expect(outcome).toMatchObject({ status: 'COMPLETED', result: { match: true, livenessVerdict: 'PASS' } });
      const motion = view.liveness!.checks.find((c) => c.check === 'motion')!;
      expect(motion).toMatchObject({ mode: 'report', verdict: 'FAIL' });
      expect(motion.score!).toBeLessThan(motion.threshold);
      expect(view.liveness!.checks.find((c) => c.check === 'parallax')).toMatchObject({ mode: 'report', verdict: 'FAIL' });
    } finally {
      await stack.stop();
    }
  });

  it('planarity reported only: the anti-spoofing models reject a tilted print on their own', async () => {
    const stack = await startTestStack({ liveness: { parallax: 'report' } });
    try {
      const { outcome, view } = await run(stack, fixture('obama.jpg'), await tiltedPhotoVideo(fixture('obama2.jpg'), file('tilt-pad.mp4')));
      expect(outcome).toMatchObject({ status: 'REJECTED', reason: 'LIVENESS_PRESENTATION_ATTACK' });
      expect(view.liveness!.checks.find((c) => c.check === 'parallax')).toMatchObject({ mode: 'report', verdict: 'FAIL' });
      expect(view.liveness!.failedCheck).toBe('antiSpoof');
    } finally {
      await stack.stop();
    }
  });

  it('off: the check is skipped and cannot reject', async () => {
    const stack = await startTestStack({ liveness: { motion: 'off', parallax: 'off' } });
    try {
      const { outcome, view } = await run(stack, fixture('obama.jpg'), await videoFromImage(fixture('obama2.jpg'), file('off.mp4'), { seconds: 3 }));
      expect(outcome).toMatchObject({ status: 'COMPLETED', result: { match: true } });
      for (const check of ['motion', 'parallax']) expect(view.liveness!.checks.find((c) => c.check === check)).toMatchObject({ mode: 'off', verdict: 'SKIPPED' });
    } finally {
      await stack.stop();
    }
  });
});

describe('active challenge (opt-in per tenant)', () => {
  let stack: TestStack;
  let id: string;
  const source = genuineVideo('liveportrait_d3.mp4');
  beforeAll(async () => {
    stack = await startTestStack({ liveness: { challenge: 'enforce' } });
    id = await idFrameOf(source, await durationOf(source), media);
  });
  afterAll(async () => stack?.stop());

  it('POST /v1/sessions returns the turns to perform; the video showing them in order passes', async () => {
    const session = await createSession(stack);
    expect(session.challenge?.steps.slice().sort()).toEqual(['TURN_LEFT', 'TURN_RIGHT']);
    // d3 turns to the subject's left at 8-9 s; its mirror image turns right.
    const video = await turnBothWaysVideo(source, 7.5, 2.2, file('turns.mp4'), session.challenge!.steps[0] === 'TURN_RIGHT');
    for (const [kind, f] of [['ID_IMAGE', id], ['SELFIE_VIDEO', video]] as const) expect((await upload(stack, session.id, kind, f)).status).toBe(201);
    const outcome = await stack.outcome(session.id);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'COMPLETED', result: { match: true } });
    const view = (await getSession(stack, session.id)).body;
    expect(view.liveness!.checks.find((c) => c.check === 'challenge')).toMatchObject({ mode: 'enforce', verdict: 'PASS', score: 1 });
  });

  it('the same turns in the other order fail with LIVENESS_CHALLENGE_FAILED', async () => {
    const session = await createSession(stack);
    const wrong = await turnBothWaysVideo(source, 7.5, 2.2, file('wrong.mp4'), session.challenge!.steps[0] !== 'TURN_RIGHT');
    for (const [kind, f] of [['ID_IMAGE', id], ['SELFIE_VIDEO', wrong]] as const) expect((await upload(stack, session.id, kind, f)).status).toBe(201);
    expect(await stack.outcome(session.id)).toMatchObject({ status: 'REJECTED', reason: 'LIVENESS_CHALLENGE_FAILED' });
  });

  it('a generated talking-head animation, which the passive checks let through, fails the challenge', async () => {
    // The passive checks do not catch it (docs/operate.md, "Liveness", known gaps): a pre-recorded
    // animation does not turn as a random challenge asks.
    const session = await createSession(stack);
    const animation = attackVideo('sadtalker_example_crop_photo_animation.mp4');
    const idImage = await idFrameOf(animation, await durationOf(animation), media);
    for (const [kind, f] of [['ID_IMAGE', idImage], ['SELFIE_VIDEO', animation]] as const) expect((await upload(stack, session.id, kind, f)).status).toBe(201);
    expect(await stack.outcome(session.id)).toMatchObject({ status: 'REJECTED', reason: 'LIVENESS_CHALLENGE_FAILED' });
    const view = (await getSession(stack, session.id)).body;
    expect(view.liveness!.checks.filter((c) => c.verdict === 'FAIL').map((c) => c.check)).toEqual(['challenge']);
  });
});
