// What a newcomer sees in Chromium in the first minutes with the demo debate: dates in their
// language and time zone with day separators, subscribe links, the real TrackBack address and
// its copy button under the no-inline-script CSP (and without JavaScript), and the registry
// tables at 375 px and 1280 px: every column there, no word split.
// The DOM types are for the page.evaluate callbacks, which run in the browser.
/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app.ts';
import { launchChromium } from '../support/chromium.ts';
import { startDemoDebate, type DemoDebate } from '../support/demo-debate.ts';

const artifacts = path.resolve('test/artifacts');

let d: DemoDebate;
let browser: Browser;
let origin: string;
let rootId: number;
let planetsabId: number;

/** Opens a page that records console errors (CSP violations among them) and uncaught exceptions. */
async function open(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { page, problems };
}

beforeAll(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  // The configured zone is UTC, so the reader's own zone shows only once the browser named it.
  d = await startDemoDebate({ timeZone: 'UTC' });
  await d.t.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(d.t.app.server.address() as { port: number }).port}`;
  rootId = (await d.t.app.inject(`/api/conversations/${d.conversationId}`)).json().entries[0].id;
  planetsabId = ((await d.t.app.inject('/api/blogs')).json().blogs as { id: number; title: string }[]).find((b) => b.title === 'planetsab')!.id;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await d?.close();
});

/** The text of the first entry's time, and the day separators, as the reader sees them. */
async function readDates(page: Page): Promise<{ first: string; days: string[] }> {
  return {
    first: (await page.locator('.timeline .dt-published').first().innerText()).trim(),
    days: (await page.locator('.timeline li.day').allInnerTexts()).map((t) => t.trim()),
  };
}

describe('dates', () => {
  it('shows dates and times in German and the reader’s zone once the browser named it, with day separators', async () => {
    const context = await browser.newContext({ locale: 'de-DE', timezoneId: 'Europe/Berlin', viewport: { width: 1280, height: 900 } });
    const { page, problems } = await open(context);
    await page.goto(`${origin}/c/${d.conversationId}`);
    // First visit: the configured zone (UTC), said in the footer; never "vor 18 Jahren".
    expect(await readDates(page)).toMatchObject({ first: '12. Nov. 2008, 08:47' });
    await expect(page.locator('footer .time-zone').innerText()).resolves.toBe('Zeitzone: UTC');
    await expect(page.getByText(/vor \d+ Jahren/).count()).resolves.toBe(0);
    // The script remembered the reader's zone: the next page is in Berlin time.
    await page.reload();
    const dates = await readDates(page);
    expect(dates.first).toBe('12. Nov. 2008, 09:47');
    expect(dates.days).toEqual([
      'Mittwoch, 12. November 2008',
      'Freitag, 14. November 2008 · 2 Tage später',
      'Samstag, 15. November 2008',
      'Sonntag, 16. November 2008',
      'Montag, 17. November 2008',
    ]);
    await expect(page.locator('footer .time-zone').innerText()).resolves.toBe('Zeitzone: Mitteleuropäische Zeit (Europe/Berlin)');
    await expect(page.locator('.timeline .dt-published').first().getAttribute('title')).resolves.toBe('Mittwoch, 12. November 2008 um 09:47 MEZ');
    await expect(page.locator('li.day').first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: path.join(artifacts, 'dates-de-desktop.png'), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows English dates in New York time for a reader there', async () => {
    const context = await browser.newContext({ locale: 'en-US', timezoneId: 'America/New_York' });
    const { page } = await open(context);
    await page.goto(`${origin}/`);
    await page.goto(`${origin}/c/${d.conversationId}`);
    expect(await readDates(page)).toMatchObject({ first: 'Nov 12, 2008, 3:47 AM' });
    await expect(page.locator('.conversation-head .activity').innerText()).resolves.toBe('started Nov 12, 2008 · last activity Nov 17, 2008');
    await context.close();
  });
});

describe('subscribe links', () => {
  it('shows Atom · RSS · JSON Feed on the home page and on a blog’s page, and they answer', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const { page } = await open(context);
    for (const [url, base] of [['/', ''], [`/blogs/${planetsabId}`, `/blogs/${planetsabId}`]] as const) {
      await page.goto(origin + url);
      const line = page.locator('main p.feeds.subscribe');
      await expect(line.isVisible()).resolves.toBe(true);
      await expect(line.locator('a').allInnerTexts()).resolves.toEqual(['Atom', 'RSS', 'JSON Feed']);
      const hrefs = await line.locator('a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
      expect(hrefs).toEqual(['atom', 'rss', 'json'].map((ext) => `${origin}${base}/feed.${ext}`));
      for (const href of hrefs) expect((await page.request.get(href)).status(), href).toBe(200);
    }
    await context.close();
  });
});

describe('the join box', () => {
  it('shows the root’s TrackBack address and copies it with the button, without any CSP violation', async () => {
    const context = await browser.newContext({ locale: 'de-DE', permissions: ['clipboard-read', 'clipboard-write'] });
    const { page, problems } = await open(context);
    const violations: string[] = [];
    await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
    await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { reportViolation(v: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`)));
    await page.goto(`${origin}/c/${d.conversationId}`);
    const field = page.locator('#join-trackback');
    const address = `${d.t.config.publicUrl}/trackback/${rootId}`;
    await expect(field.inputValue()).resolves.toBe(address);
    await expect(page.locator('label[for="join-trackback"]').innerText()).resolves.toBe('TrackBack (erster Beitrag)');
    const button = page.locator('button[data-copy="join-trackback"]');
    await expect(button.isVisible()).resolves.toBe(true);
    await button.click();
    // The label changes once the clipboard has taken the text, which is asynchronous.
    await page.waitForFunction(() => document.querySelector('button[data-copy="join-trackback"]')?.textContent === 'Kopiert', undefined, { timeout: 5000 });
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(address);
    await page.locator('aside.join').screenshot({ path: path.join(artifacts, 'join-box.png') });
    expect(violations).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('without JavaScript hides the button and leaves a field whose address can be selected', async () => {
    const context = await browser.newContext({ locale: 'en-GB', javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${origin}/c/${d.conversationId}`);
    await expect(page.locator('button[data-copy="join-trackback"]').isVisible()).resolves.toBe(false);
    const field = page.locator('#join-trackback');
    await expect(field.isVisible()).resolves.toBe(true);
    await field.click({ clickCount: 3 });
    const selected = await field.evaluate((el) => {
      const input = el as HTMLInputElement;
      return input.value.slice(input.selectionStart ?? 0, input.selectionEnd ?? 0);
    });
    expect(selected).toBe(`${d.t.config.publicUrl}/trackback/${rootId}`);
    await context.close();
  });
});

/** Lists the words of the table's cells that the browser split over two lines, and cells not shown. */
async function tableProblems(page: Page, selector: string): Promise<{ split: string[]; hidden: string[]; labels: string[] }> {
  return page.locator(selector).evaluate((table) => {
    const split: string[] = [];
    const hidden: string[] = [];
    const labels: string[] = [];
    for (const cell of Array.from(table.querySelectorAll('caption, th, td'))) {
      const box = (cell as HTMLElement).getBoundingClientRect();
      const inHead = cell.closest('thead') !== null;
      if (!inHead && (box.width === 0 || box.height === 0 || getComputedStyle(cell).display === 'none' || getComputedStyle(cell).visibility === 'hidden')) hidden.push(cell.textContent ?? '');
      if (cell.tagName === 'TD') labels.push(getComputedStyle(cell, '::before').content);
      if (inHead && table.querySelector('thead')!.getBoundingClientRect().width <= 1) continue;
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        // Words end at spaces and after hyphens; a URL also breaks at its <wbr> (a new text node).
        const re = /[^\s-]+-?/g;
        for (let m = re.exec(text); m; m = re.exec(text)) {
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          const lines = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (lines.size > 1) split.push(m[0]);
        }
      }
    }
    return { split, hidden, labels };
  });
}

describe('the registry tables', () => {
  it('reflow at 375 px: every column named in each card, no word split, no sideways scroll', async () => {
    const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${origin}/blogs`);
    const list = await tableProblems(page, 'table.blogs');
    expect(list.split).toEqual([]);
    expect(list.hidden).toEqual([]);
    expect(new Set(list.labels)).toEqual(new Set(['"Zustand"', '"Letzter Abruf"', '"Nächster Abruf"', '"Einträge"']));
    await page.screenshot({ path: path.join(artifacts, 'blogs-375.png'), fullPage: true });
    await page.goto(`${origin}/blogs/${planetsabId}`);
    const sources = await tableProblems(page, 'table.sources');
    expect(sources.split).toEqual([]);
    expect(sources.hidden).toEqual([]);
    expect(new Set(sources.labels)).toEqual(new Set(['"Letzter Abruf"', '"Antwort"', '"Nächster Abruf"']));
    await expect(page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).resolves.toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(artifacts, 'blog-375.png'), fullPage: true });
    // The join box's fields show their whole address at this width too (the button moves under them).
    await page.goto(`${origin}/c/${d.conversationId}`);
    const clipped = await page.locator('input.copy-source').evaluateAll((els) => els.filter((el) => el.scrollWidth > el.clientWidth).map((el) => (el as HTMLInputElement).value));
    expect(clipped).toEqual([]);
    await context.close();
  });

  it('keep their headers and addresses whole at 1280 px', async () => {
    const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${origin}/blogs`);
    expect((await tableProblems(page, 'table.blogs')).split).toEqual([]);
    await page.goto(`${origin}/blogs/${planetsabId}`);
    const sources = await tableProblems(page, 'table.sources');
    expect(sources.split).toEqual([]);
    expect(sources.labels.every((l) => l === 'none' || l === 'normal')).toBe(true);
    await expect(page.locator('table.sources thead th').allInnerTexts()).resolves.toEqual(['Quelle', 'Letzter Abruf', 'Antwort', 'Nächster Abruf']);
    await page.screenshot({ path: path.join(artifacts, 'blog-desktop.png'), fullPage: true });
    await context.close();
  });
});

describe('the first-run page', () => {
  it('keeps its box clear of the header line, and the demo command reads as a command, not as spaces before the full stop', async () => {
    const empty = await createTestApp();
    await empty.app.listen({ host: '127.0.0.1', port: 0 });
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    try {
      await page.goto(`http://127.0.0.1:${(empty.app.server.address() as { port: number }).port}/`);
      const layout = await page.evaluate(() => {
        const header = document.querySelector('header.site')!.getBoundingClientRect();
        const box = document.querySelector('.empty')!;
        const code = box.querySelector('code')!;
        const codeBox = code.getBoundingClientRect();
        return {
          gap: box.getBoundingClientRect().top - header.bottom,
          boxBackground: getComputedStyle(box).backgroundColor,
          codeBackground: getComputedStyle(code).backgroundColor,
          codeOnOneLine: code.getClientRects().length === 1 && codeBox.height < 40,
          text: (code.parentElement as HTMLElement).innerText,
        };
      });
      expect(layout.gap).toBeGreaterThanOrEqual(16);
      expect(layout.codeBackground).not.toBe(layout.boxBackground);
      expect(layout.codeOnOneLine).toBe(true);
      expect(layout.text).toMatch(/with npx palaver demo\.$/);
      await page.screenshot({ path: path.join(artifacts, 'first-run-375.png'), fullPage: true });
    } finally {
      await context.close();
      await empty.close();
    }
  });
});
