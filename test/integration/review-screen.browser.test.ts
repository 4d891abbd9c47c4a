// The review screen in a real browser (Debian's Chromium, driven by puppeteer-core), on the real
// stack: a machine decision waits, the reviewer signs in with the keyboard, sees the ID image and
// the selfie frames the comparison used beside its figures, rejects, and the tenant hears it.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantStore } from '../../src/db/tenant-store.js';
import { REPO_ROOT } from '../../src/runtime/app-root.js';
import { createSession, getSession, upload } from '../../dev/api-client.js';
import { fixture } from '../../dev/paths.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { startWebhookReceiver } from '../helpers/webhook-receiver.js';

/** The page's DOM, typed only as far as these checks read it: the project compiles without lib "dom". */
interface PageNode {
  textContent: string | null;
  naturalWidth?: number;
  width?: number;
}
interface PageDocument {
  querySelector(selector: string): PageNode | null;
  querySelectorAll(selector: string): ArrayLike<PageNode>;
}
type PageGlobal = { document: PageDocument };

const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const SCREENSHOTS = path.join(REPO_ROOT, '.ci', 'out');

let stack: TestStack;
let browser: Browser;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let reviewerKey: string;

beforeAll(async () => {
  if (!CHROMIUM) throw new Error('Chromium is needed for the browser tests: apt-get install chromium (or set CHROMIUM_PATH)');
  receiver = await startWebhookReceiver();
  stack = await startTestStack({
    webhookUrl: receiver.url,
    uploadTimeoutMs: 120_000,
    env: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
  });
  const tenants = new TenantStore(stack.db);
  await tenants.setReviewPolicy(stack.tenantId, { always: true });
  reviewerKey = (await tenants.createKey(stack.tenantId, 'browser', 'REVIEWER')).key;
  // As root (CI containers) Chromium's own sandbox cannot start; the page is ours and local.
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  await mkdir(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  receiver?.close();
});

describe('review screen', () => {
  it('takes a reviewer from the queue to a recorded decision, showing the media and the machine\'s figures', async () => {
    const session = await createSession(stack);
    await upload(stack, session.id, 'ID_IMAGE', fixture('lin-manuel-miranda.png'));
    await upload(stack, session.id, 'SELFIE_VIDEO', fixture('short_hamilton_clip.mp4'));
    for (let i = 0; i < 600 && (await getSession(stack, session.id)).body.status !== 'NEEDS_REVIEW'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await getSession(stack, session.id)).body.status).toBe('NEEDS_REVIEW');

    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1000 });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    const response = await page.goto(`${stack.baseUrl}/review`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

    // Keyboard only: type the key, Enter.
    await page.focus('#key');
    await page.keyboard.type(reviewerKey);
    await page.keyboard.press('Enter');
    const item = `#queue button[data-session="${session.id}"]`;
    await page.waitForSelector(item);
    await page.click(item);

    // The ID image and the frames the comparison used, drawn from the video in the page.
    await page.waitForFunction(() => ((globalThis as unknown as PageGlobal).document.querySelector('#id-image')?.naturalWidth ?? 0) > 0, { timeout: 20_000 });
    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.querySelectorAll('#frames canvas').length > 0, { timeout: 20_000 });
    const shown = await page.evaluate(() => {
      const { document } = globalThis as unknown as PageGlobal;
      return {
        frames: Array.from(document.querySelectorAll('#frames canvas'), (c) => c.width ?? 0),
        figures: document.querySelector('#figures')?.textContent ?? '',
        checks: document.querySelectorAll('#liveness tbody tr').length,
        triggers: document.querySelector('#triggers')?.textContent ?? '',
      };
    });
    expect(shown.frames.length).toBeGreaterThanOrEqual(1);
    expect(shown.frames.every((w) => w > 0)).toBe(true);
    expect(shown.figures).toMatch(/similarity0\.\d{3}/);
    expect(shown.figures).toContain('machine decisionmatch');
    expect(shown.checks).toBeGreaterThan(0);
    expect(shown.triggers).toContain('ALWAYS');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'review-screen.png'), fullPage: true });
    // For the README: the same screen with the test person's face hidden (no fixture media in the repository).
    await page.evaluate(() => {
      const { document } = globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ style: { visibility: string } }> } };
      for (const el of Array.from(document.querySelectorAll('#id-image, #frames canvas, #selfie'))) el.style.visibility = 'hidden';
    });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'review-screen-faces-hidden.png'), fullPage: true });
    await page.evaluate(() => {
      const { document } = globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ style: { visibility: string } }> } };
      for (const el of Array.from(document.querySelectorAll('#id-image, #frames canvas, #selfie'))) el.style.visibility = '';
    });

    await page.click('input[name="decision"][value="REJECT"]');
    await page.select('#reason', 'DIFFERENT_PERSON');
    await page.type('#note', 'hairline differs');
    await page.click('#submit');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.querySelector('#result')?.textContent?.startsWith('Decided') ?? false, { timeout: 30_000 });
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobal).document.querySelector('#result')?.textContent)).toBe('Decided: REJECT (DIFFERENT_PERSON). The session is COMPLETED, match false.');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'review-screen-decided.png'), fullPage: true });
    expect(errors).toEqual([]);

    const outcome = await stack.outcome(session.id);
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: { match: false, review: { decision: 'REJECT', reasonCode: 'DIFFERENT_PERSON' } } });
    expect(await receiver.about(session.id)).toEqual([
      expect.objectContaining({ status: 'COMPLETED', result: expect.objectContaining({ match: false, review: expect.objectContaining({ decision: 'REJECT' }) }) }),
    ]);

    // The media were served to the reviewer key only, never cacheable, and each read audited.
    const media = `${stack.baseUrl}/v1/sessions/${session.id}/files/ID_IMAGE/content`;
    expect((await fetch(media, { headers: { authorization: `Bearer ${stack.apiKey}` } })).status).toBe(403);
    const read = await fetch(media, { headers: { authorization: `Bearer ${reviewerKey}` } });
    expect(read.headers.get('cache-control')).toBe('no-store, private');
    expect(read.headers.get('content-type')).toBe('image/png');
    const audit = (await (await fetch(`${stack.baseUrl}/v1/sessions/${session.id}/audit`, { headers: { authorization: `Bearer ${stack.apiKey}` } })).json()) as { events: { action: string; detail: string | null }[] };
    expect(audit.events.filter((e) => e.action === 'MEDIA_READ').map((e) => e.detail)).toEqual(expect.arrayContaining(['ID_IMAGE', 'SELFIE_VIDEO']));
    await page.close();
  });
});
