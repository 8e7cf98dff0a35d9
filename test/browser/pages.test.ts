// The pages in a real browser: Debian's Chromium driven by playwright-core opens the demo
// debate served by the real app on loopback. Screenshots land in test/artifacts/ (git-ignored).
// The DOM types are for the page.evaluate callbacks, which run in the browser.
/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debateSlugs } from '../../src/demo/debate.ts';
import { launchChromium } from '../support/chromium.ts';
import { startDemoDebate, type DemoDebate } from '../support/demo-debate.ts';
import { startHostileBlog, type HostileBlog } from '../support/hostile-blog.ts';

const artifacts = path.resolve('test/artifacts');

interface ApiEntry {
  id: number;
  url: string | null;
  author: { name: string | null };
  inReplyTo: number | null;
}

let d: DemoDebate;
let hostile: HostileBlog;
let browser: Browser;
let origin: string;
let entries: ApiEntry[];

/** Opens a page that records console errors, uncaught exceptions and dialogs. */
async function open(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { page, problems };
}

beforeAll(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  d = await startDemoDebate();
  hostile = await startHostileBlog();
  await d.t.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(d.t.app.server.address() as { port: number }).port}`;
  entries = (await d.t.app.inject(`/api/conversations/${d.conversationId}`)).json().entries;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await hostile?.close();
  await d?.close();
});

describe('the demo debate in Chromium', () => {
  it('renders the conversation in German, every entry in time order, without console errors', async () => {
    const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
    const { page, problems } = await open(context);
    const res = await page.goto(`${origin}/c/${d.conversationId}`);
    expect(res?.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe('Idee: ein Social Media Camp');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('de');
    await expect(page.locator('.conversation-head .counts').textContent()).resolves.toBe('3 Beiträge · 6 Kommentare · 2 Linkbacks · 3 Blogs');
    const ids = await page.locator('ol.timeline > li > article').evaluateAll((els) => els.map((e) => Number(e.id.slice(2))));
    expect(ids).toEqual(entries.map((e) => e.id));
    // German text of the windows-1252 blog comes out right in the browser too.
    await expect(page.getByText('„Social Media Camp“').first().isVisible()).resolves.toBe(true);
    await expect(page.locator('.views a[aria-current="page"]').textContent()).resolves.toBe('Zeitleiste');
    await page.screenshot({ path: path.join(artifacts, 'conversation-desktop.png'), fullPage: true });
    await page.goto(`${origin}/`);
    await page.screenshot({ path: path.join(artifacts, 'home-desktop.png'), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('switches to the thread view by link: the reply under Jens Best, Freitag under planetsab', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    const { page, problems } = await open(context);
    await page.goto(`${origin}/c/${d.conversationId}`);
    await page.getByRole('link', { name: 'Baum' }).click();
    await page.waitForURL(/\?view=thread$/);
    const jens = entries.find((e) => e.author.name === 'Jens Best')!;
    const katrin = entries.find((e) => e.author.name === 'Katrin R.' && e.inReplyTo === jens.id)!;
    const planetsab = entries.find((e) => e.url === d.demo.permalink('planetsab', debateSlugs.planetsab))!;
    const freitag = entries.find((e) => e.url === d.demo.permalink('freitag', debateSlugs.freitag))!;
    const parentOf = (id: number) =>
      page.locator(`#e-${id}`).evaluate((el) => el.closest('li')?.parentElement?.closest('li')?.querySelector(':scope > article')?.id ?? null);
    await expect(parentOf(katrin.id)).resolves.toBe(`e-${jens.id}`);
    await expect(parentOf(freitag.id)).resolves.toBe(`e-${planetsab.id}`);
    // Nested replies are indented further than their parents.
    const left = async (id: number) => (await page.locator(`#e-${id}`).boundingBox())!.x;
    expect(await left(katrin.id)).toBeGreaterThan(await left(jens.id));
    await page.getByRole('link', { name: 'Zeitleiste' }).click();
    await page.waitForURL(new RegExp(`/c/${d.conversationId}$`));
    expect(problems).toEqual([]);
    await context.close();
  });

  it('reaches an "in reply to" link by keyboard, shows its focus, and jumps to the entry it names', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const { page } = await open(context);
    await page.goto(`${origin}/c/${d.conversationId}`);
    let found = false;
    for (let i = 0; i < 80 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement?.closest('.in-reply-to') !== null && document.activeElement?.tagName === 'A');
    }
    expect(found).toBe(true);
    const focus = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { outline: style.outlineStyle, width: parseFloat(style.outlineWidth), href: el.getAttribute('href') };
    });
    expect(focus.outline).toBe('solid');
    expect(focus.width).toBeGreaterThanOrEqual(2);
    expect(focus.href).toMatch(/^#e-\d+$/);
    await page.keyboard.press('Enter');
    await page.waitForFunction((hash) => location.hash === hash, focus.href);
    await expect(page.locator(':target').getAttribute('id')).resolves.toBe(focus.href!.slice(1));
    await context.close();
  });

  it('folds a long post behind "Read more" and opens it without JavaScript', async () => {
    const context = await browser.newContext({ locale: 'en-GB', javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${origin}/c/${d.conversationId}`);
    const fold = page.locator('.fold').first();
    await expect(fold.locator('.e-content').isVisible()).resolves.toBe(false);
    await fold.locator('summary').click();
    await expect(fold.locator('.e-content').isVisible()).resolves.toBe(true);
    await expect(fold.locator('.preview').isVisible()).resolves.toBe(false);
    await context.close();
  });

  it('has no horizontal scroll at 320 px, and screenshots at 375 px', async () => {
    const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 320, height: 800 } });
    const page = await context.newPage();
    for (const url of ['/', `/c/${d.conversationId}`, `/c/${d.conversationId}?view=thread`, '/blogs', '/blogs/1', '/?q=camp', '/nirgends']) {
      await page.goto(origin + url);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, url).toBeLessThanOrEqual(0);
    }
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${origin}/c/${d.conversationId}`);
    await page.screenshot({ path: path.join(artifacts, 'conversation-375.png'), fullPage: true });
    await page.goto(`${origin}/`);
    await page.screenshot({ path: path.join(artifacts, 'home-375.png'), fullPage: true });
    await context.close();
  });

  it('applies the dark colours when the system prefers dark', async () => {
    const context = await browser.newContext({ colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto(`${origin}/c/${d.conversationId}`);
    const colours = await page.evaluate(() => ({ bg: getComputedStyle(document.body).backgroundColor, fg: getComputedStyle(document.body).color }));
    expect(colours).toEqual({ bg: 'rgb(22, 21, 20)', fg: 'rgb(236, 235, 231)' });
    await page.screenshot({ path: path.join(artifacts, 'conversation-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(page.evaluate(() => getComputedStyle(document.body).backgroundColor)).resolves.toBe('rgb(251, 250, 247)');
    await context.close();
  });
});

describe('the demo group in Chromium', () => {
  const cases = [
    { locale: 'de-DE', lang: 'de', width: 1280, heading: 'Programm', day1: '1 Beitrag in 1 Blog, 1 Kommentar' },
    { locale: 'de-DE', lang: 'de', width: 375, heading: 'Programm', day1: '1 Beitrag in 1 Blog, 1 Kommentar' },
    { locale: 'en-GB', lang: 'en', width: 1280, heading: 'Day by day', day1: '1 post on 1 blog, 1 comment' },
    { locale: 'en-GB', lang: 'en', width: 375, heading: 'Day by day', day1: '1 post on 1 blog, 1 comment' },
  ];
  it.each(cases)('shows /g/social-media-camp-2008 in $lang at $width px: the debate, the programme, the blogs, no horizontal scroll', async (c) => {
    const context = await browser.newContext({ locale: c.locale, viewport: { width: c.width, height: 900 } });
    const { page, problems } = await open(context);
    const res = await page.goto(`${origin}/g/social-media-camp-2008`);
    expect(res?.status()).toBe(200);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe(c.lang);
    await expect(page.locator('h1').textContent()).resolves.toBe('Social Media Camp 2008');
    await expect(page.locator('ol.conversations h2 a').allTextContents()).resolves.toEqual(['Idee: ein Social Media Camp']);
    // The debate drawn small, as on the home page: its days and its three blogs' letters.
    await expect(page.locator('ol.conversations svg.spark').isVisible()).resolves.toBe(true);
    await expect(page.locator('ol.conversations .spark-letters .mark').allTextContents()).resolves.toEqual(['S', 'P', 'F']);
    await expect(page.locator('#programme').textContent()).resolves.toBe(c.heading);
    await expect(page.locator('.day-counts').first().textContent()).resolves.toBe(c.day1);
    await expect(page.locator('table.members tbody tr').count()).resolves.toBe(3);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(artifacts, `group-${c.lang}-${c.width}.png`), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('registration and hostile content in Chromium', () => {
  it('shows an inline error for a bad address, registers a fixture blog, and runs nothing of its hostile post', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const { page, problems } = await open(context);
    await page.goto(`${origin}/blogs`);
    await page.getByLabel('Address of the blog').fill('not a url at all');
    await page.getByRole('button', { name: 'Register' }).click();
    const error = page.locator('#url-error');
    await expect(error.isVisible()).resolves.toBe(true);
    await expect(page.locator('#url').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#url').inputValue()).resolves.toBe('not a url at all');
    // The refused form answers 400 on purpose, which Chromium logs as a failed load.
    expect(problems).toEqual(['console: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    problems.length = 0;

    await page.getByLabel('Address of the blog').fill(hostile.homeUrl);
    await page.getByRole('button', { name: 'Register' }).click();
    await page.waitForURL(/\/blogs\/\d+\?registered=1$/);
    await expect(page.locator('.notice').textContent()).resolves.toContain('registered');

    await d.t.poller.pollOnce({ force: true });
    const list = (await d.t.app.inject('/api/conversations')).json().conversations as { id: number; title: string }[];
    const attack = list.find((c) => c.title.startsWith('Feindlich'))!;
    expect(attack).toBeDefined();
    await page.goto(`${origin}/c/${attack.id}`);
    await expect(page.getByText('Harmloser Text vor dem Angriff.').isVisible()).resolves.toBe(true);
    // Markup in the title was reduced to text at ingest.
    await expect(page.locator('h1').textContent()).resolves.toMatch(/^Feindlich/);
    await expect(page.locator('h1 *').count()).resolves.toBe(0);
    await page.locator('.content a').first().click({ trial: true }).catch(() => undefined);
    await page.waitForTimeout(300);
    const state = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
      scripts: document.querySelectorAll('main script').length,
      handlers: Array.from(document.querySelectorAll('main *')).filter((el) => Array.from(el.attributes).some((a) => a.name.startsWith('on'))).length,
      jsUrls: Array.from(document.querySelectorAll('main [href], main [src], main [action]')).filter((el) => /javascript:/i.test(el.getAttribute('href') ?? el.getAttribute('src') ?? el.getAttribute('action') ?? '')).length,
      frames: document.querySelectorAll('main iframe, main object, main embed').length,
    }));
    expect(state).toEqual({ pwned: null, scripts: 0, handlers: 0, jsUrls: 0, frames: 0 });
    expect(problems).toEqual([]);
    await context.close();
  });
});
