// The capture page in a real browser (Debian's Chromium, driven by puppeteer-core) on the real
// stack, its camera a video file (`--use-file-for-fake-video-capture`): a genuine selfie clip
// goes through the page's recording, its uploads and the comparison to a verified decision; a
// still photo held to the camera ends in a retake with the matching hint; a challenge session
// shows its head-turn prompts. Screenshots of each end state go to .ci/out/.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKycClient, type Session } from '../../clients/typescript/src/index.js';
import { fixture } from '../../dev/paths.js';
import { newTenantWithKey } from '../../dev/tenants.js';
import { TenantStore } from '../../src/db/tenant-store.js';
import { REPO_ROOT } from '../../src/runtime/app-root.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

const run = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const SCREENSHOTS = path.join(REPO_ROOT, '.ci', 'out');

let stack: TestStack;
let work: string;
const clips: Record<'genuine' | 'still', string> = { genuine: '', still: '' };

/** A y4m for Chromium's fake camera, made with the same ffmpeg the workers use. */
async function y4m(name: string, input: string[]): Promise<string> {
  const out = path.join(work, `${name}.y4m`);
  await run(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-v', 'error', '-y', ...input, '-vf', 'scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2,fps=15', '-pix_fmt', 'yuv420p', '-t', '8', out]);
  return out;
}

beforeAll(async () => {
  if (!CHROMIUM) throw new Error('Chromium is needed for the browser tests: apt-get install chromium (or set CHROMIUM_PATH)');
  await run(path.join(REPO_ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', 'web/capture/vite.config.ts'], { cwd: REPO_ROOT });
  work = await mkdtemp(path.join(tmpdir(), 'capture-'));
  clips.genuine = await y4m('genuine', ['-i', fixture('short_hamilton_clip.mp4')]);
  // The ID holder's own photo: only liveness can tell it from a live capture.
  clips.still = await y4m('still', ['-loop', '1', '-i', fixture('lin-manuel-miranda.png')]);
  // The service's own liveness defaults (enforced), as a tenant gets them.
  stack = await startTestStack({ uploadTimeoutMs: 300_000, liveness: {} });
  await mkdir(SCREENSHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The page's DOM, typed only as far as these checks read it (casts only: the callbacks run in the page). */
interface PageNode {
  textContent: string | null;
  hidden: boolean;
  dataset: Record<string, string | undefined>;
}
const textOf = (page: Page, selector: string) => page.$eval(selector, (el) => (el as unknown as PageNode).textContent ?? '');

/** A phone-sized Chromium whose front camera films `clip`; permission to use it is granted. */
async function phoneWithCamera(clip: string): Promise<{ browser: Browser; page: Page; errors: string[] }> {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root (CI containers) Chromium's own sandbox cannot start; the page is ours and local.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${clip}`],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  return { browser, page, errors };
}

/** Through the page with the keyboard: ID photo chosen, "Use this photo", Record; returns the decision shown. */
async function capture(page: Page, link: string, onRecording?: (page: Page) => Promise<void>): Promise<string> {
  const response = await page.goto(link);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  expect(response?.headers()['permissions-policy']).toContain('camera=(self)');
  // The token left the address bar at once.
  await page.waitForFunction(() => !(globalThis as unknown as { location: { hash: string } }).location.hash);
  const input = await page.waitForSelector('#id-file');
  await input!.uploadFile(fixture('lin-manuel-miranda.png'));
  await page.waitForSelector('#id-use:not([hidden])');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#record:not([disabled])', { timeout: 60_000 });
  await page.keyboard.press('Enter');
  if (onRecording) await onRecording(page);
  await page.waitForSelector('body[data-decision]', { timeout: 240_000 });
  return page.$eval('body', (body) => (body as unknown as PageNode).dataset.decision ?? '');
}

describe('capture page', () => {
  it('is served for a session id only, and nothing but its own assets', async () => {
    const page = await fetch(`${stack.baseUrl}/capture/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await page.text()).toMatch(/<script type="module" crossorigin src="\/capture\/assets\/index-[\w-]+\.js">/);
    for (const bad of ['/capture/not-a-session', '/capture/assets/..%2F..%2Fpackage.json', '/capture/assets/index.html', '/capture/assets/missing.js']) {
      const res = await fetch(`${stack.baseUrl}${bad}`);
      expect(res.status, bad).toBe(404);
      expect(res.headers.get('content-type'), bad).toContain('application/problem+json');
    }
  });

  it('takes a genuine selfie clip from the camera to a verified session', async () => {
    const backend = createKycClient({ baseUrl: stack.baseUrl, token: stack.apiKey });
    const session = await backend.createSession({ reference: 'capture-genuine' });
    const { browser, page, errors } = await phoneWithCamera(clips.genuine);
    // The phone's connection drops during the first video upload: the page tries again.
    const statuses: string[] = [];
    let dropped = 0;
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (dropped === 0 && request.method() === 'POST' && request.url().includes('kind=SELFIE_VIDEO')) {
        dropped++;
        void request.abort('connectionreset');
      } else void request.continue();
    });
    try {
      const decision = await capture(page, `${stack.baseUrl}/capture/${session.id}#token=${session.clientToken}`, async (p) => {
        await p.waitForFunction(() => /connection dropped/.test((globalThis as unknown as { document: { getElementById(id: string): { textContent: string | null } } }).document.getElementById('status').textContent ?? ''), { timeout: 60_000 });
        statuses.push(await textOf(p, '#status'));
      });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'capture-verified.png') });
      expect(dropped).toBe(1);
      expect(statuses[0]).toMatch(/trying again in 1 s \(attempt 2\)/);
      expect(decision).toBe('VERIFIED');
      expect(await textOf(page, '#result-title')).toBe('You are verified');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
    const seen = (await backend.getSession(session.id)) as Session;
    expect(seen).toMatchObject({ status: 'COMPLETED', result: { match: true } });
    // What Chromium's MediaRecorder made, accepted as it came.
    expect(seen.files.find((f) => f.kind === 'SELFIE_VIDEO')?.mediaType).toBe('video/webm');
  }, 300_000);

  it('ends a still photo held to the camera in a retake, with the hint to record live', async () => {
    const backend = createKycClient({ baseUrl: stack.baseUrl, token: stack.apiKey });
    const session = await backend.createSession({ reference: 'capture-still' });
    const { browser, page } = await phoneWithCamera(clips.still);
    try {
      const decision = await capture(page, `${stack.baseUrl}/capture/${session.id}#token=${session.clientToken}`);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'capture-retake.png') });
      expect(decision).toBe('RETAKE');
      const hint = await page.$eval('#retake-hint', (el) => ({ code: (el as unknown as PageNode).dataset.code, text: (el as unknown as PageNode).textContent ?? '', hidden: (el as unknown as PageNode).hidden }));
      expect(hint).toMatchObject({ code: 'LIVE_CAPTURE', hidden: false });
      expect(hint.text).toMatch(/live/i);
    } finally {
      await browser.close();
    }
    expect(await backend.getSession(session.id)).toMatchObject({ status: 'REJECTED', rejectionReason: expect.stringMatching(/^LIVENESS_/) });
  }, 300_000);

  // Chromium's own recording is the WebM above. Safari's MediaRecorder writes fragmented MP4
  // (H.264, an empty moov and one moof per fragment), Firefox's a live WebM (VP8, no duration,
  // no cues): both made here as those browsers lay them out, then uploaded as the page would.
  it.each([
    ['Safari: fragmented MP4, H.264', 'selfie.mp4', 'video/mp4', ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4']],
    ['Firefox: live WebM, VP8', 'selfie.webm', 'video/webm', ['-c:v', 'libvpx', '-b:v', '1M', '-deadline', 'realtime', '-live', '1', '-f', 'webm']],
  ])('accepts what %s records, to a verified session', async (_browser, name, mediaType, encoder) => {
    const recorded = path.join(work, name);
    await run(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-v', 'error', '-y', '-i', fixture('short_hamilton_clip.mp4'), '-an', ...encoder, recorded]);
    const backend = createKycClient({ baseUrl: stack.baseUrl, token: stack.apiKey });
    const session = await backend.createSession();
    const app = createKycClient({ baseUrl: stack.baseUrl, token: session.clientToken });
    await app.uploadFile(session.id, 'ID_IMAGE', new Blob([await readFile(fixture('lin-manuel-miranda.png'))]), { filename: 'id.png' });
    expect(await app.uploadFile(session.id, 'SELFIE_VIDEO', new Blob([await readFile(recorded)]), { filename: name })).toMatchObject({ mediaType });
    expect(await app.waitForDecision(session.id, { timeoutMs: 120_000 })).toMatchObject({ status: 'COMPLETED', decision: 'VERIFIED' });
  }, 180_000);

  it("shows a challenge session's head-turn prompts while it records", async () => {
    const tenant = await newTenantWithKey(stack.db, 'capture-challenge');
    await new TenantStore(stack.db).setLivenessModes(tenant.tenantId, { challenge: 'enforce' });
    const backend = createKycClient({ baseUrl: stack.baseUrl, token: tenant.apiKey });
    const session = await backend.createSession();
    const steps = session.challenge?.steps ?? [];
    expect(steps.length).toBeGreaterThan(0);
    const { browser, page } = await phoneWithCamera(clips.genuine);
    const prompts = new Set<string>();
    try {
      const decision = await capture(page, `${stack.baseUrl}/capture/${session.id}#token=${session.clientToken}`, async (p) => {
        expect(await textOf(p, '#challenge')).toMatch(/turn your head/i);
        // Sample the prompt overlay through the recording.
        const until = Date.now() + 1000 + steps.length * 2000 + 3000;
        while (Date.now() < until) {
          const text = await textOf(p, '#prompt');
          if (text && !prompts.has(text)) {
            prompts.add(text);
            if (/turn your head/i.test(text)) await p.screenshot({ path: path.join(SCREENSHOTS, 'capture-challenge-prompt.png') });
          }
          await new Promise((resolve) => setTimeout(resolve, 150));
        }
      });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'capture-challenge-result.png') });
      // The clip does not turn on cue: whatever the machine decided, the page says what the API says.
      const read = await backend.getSession(session.id);
      expect(decision).toBe(read.status === 'COMPLETED' ? 'VERIFIED' : read.status === 'REJECTED' ? 'RETAKE' : decision);
    } finally {
      await browser.close();
    }
    const expected = steps.map((s) => (s === 'TURN_LEFT' ? 'Slowly turn your head to your left' : 'Slowly turn your head to your right'));
    expect([...prompts].filter((p) => /turn your head/i.test(p))).toEqual(expected);
  }, 300_000);
});
