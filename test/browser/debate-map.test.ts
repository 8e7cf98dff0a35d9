// The debate map in Chromium: at 1280 and 375 px the map scrolls inside its own box and the page
// never does, each mark leads to its entry, every day label shows whole, dark mode and print take
// their colours from the stylesheet, and the home page shows each debate in small. Screenshots land in test/artifacts/.
/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import defaults from '../../config/default.json' with { type: 'json' };
import { startFixtureServer } from '../../src/demo/fixture-server.ts';
import { serializeMethodCall } from '../../src/xmlrpc/codec.ts';
import { homePage, rssFeed } from '../support/blog-pages.ts';
import { launchChromium } from '../support/chromium.ts';
import { startDemoDebate, type DemoDebate } from '../support/demo-debate.ts';

const artifacts = path.resolve('test/artifacts');

let d: DemoDebate;
let browser: Browser;
let origin: string;
let entryIds: number[];

beforeAll(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  d = await startDemoDebate();
  await d.t.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(d.t.app.server.address() as { port: number }).port}`;
  entryIds = ((await d.t.app.inject(`/api/conversations/${d.conversationId}`)).json().entries as { id: number }[]).map((e) => e.id);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await d?.close();
});

describe('the debate map in Chromium', () => {
  it('at 1280 px: a mark per entry, each leading to its entry, with a summary beside the map', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
    await page.goto(`${origin}/c/${d.conversationId}`);
    const figure = page.locator('figure.debate-map');
    await expect(figure.isVisible()).resolves.toBe(true);
    const marks = await page.locator('.dm-plot a.dm-mark').evaluateAll((els) => els.map((e) => ({ href: e.getAttribute('href'), id: Number(e.getAttribute('data-entry')), w: e.getBoundingClientRect().width })));
    expect(marks.map((m) => m.id).sort((a, b) => a - b)).toEqual([...entryIds].sort((a, b) => a - b));
    for (const m of marks) {
      expect(m.href).toBe(`#e-${m.id}`);
      // Large enough to see and to hit (a comment's dot is 9 px across).
      expect(m.w).toBeGreaterThanOrEqual(8);
    }
    await expect(page.locator('.dm-plot .dm-arrow').count()).resolves.toBeGreaterThanOrEqual(entryIds.length - 1);
    await expect(page.locator('#map-summary').textContent()).resolves.toMatch(/^3 blogs, 9 entries/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await figure.screenshot({ path: path.join(artifacts, 'map-1280.png') });

    // A click on Freitag's post leads to it.
    const freitag = marks.find((m) => m.id === entryIds.at(-3))!;
    await page.locator(`.dm-plot a.dm-mark[data-entry="${freitag.id}"]`).click();
    await expect(page.evaluate(() => location.hash)).resolves.toBe(`#e-${freitag.id}`);
    await expect(page.evaluate((id) => document.querySelector(`#e-${id}`)!.matches(':target'), freitag.id)).resolves.toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('at 375 px: the map scrolls inside its box, the page does not, and the lanes keep their letters', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${origin}/c/${d.conversationId}`);
    const box = await page.evaluate(() => {
      const scroll = document.querySelector('.map-scroll')!;
      return { page: document.documentElement.scrollWidth - document.documentElement.clientWidth, inner: scroll.scrollWidth, outer: scroll.clientWidth, overflowX: getComputedStyle(scroll).overflowX };
    });
    expect(box.page).toBeLessThanOrEqual(0);
    expect(box.inner).toBeGreaterThan(box.outer);
    expect(box.overflowX).toBe('auto');
    const labels = await page.evaluate(() => ({
      width: document.querySelector('.dm-labels')!.getBoundingClientRect().width,
      names: Array.from(document.querySelectorAll('.dm-labels .dm-lane-name')).map((n) => getComputedStyle(n).display),
      letters: Array.from(document.querySelectorAll('.dm-labels .dm-lane-letter')).map((n) => n.textContent),
    }));
    expect(labels.width).toBeLessThan(40);
    expect(labels.names.every((v) => v === 'none')).toBe(true);
    expect(labels.letters).toEqual(['S', 'P', 'F']);
    await page.locator('figure.debate-map').screenshot({ path: path.join(artifacts, 'map-375.png') });
    // Scrolled to its end, the box shows the last marks; the page stays where it was.
    await page.evaluate(() => document.querySelector('.map-scroll')!.scrollTo({ left: 10_000 }));
    await expect(page.evaluate(() => window.scrollX)).resolves.toBe(0);
    await page.locator('figure.debate-map').screenshot({ path: path.join(artifacts, 'map-375-scrolled.png') });
    await page.goto(`${origin}/`);
    await expect(page.locator('.conversation-summary svg.spark').first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: path.join(artifacts, 'home-sparkline-375.png') });
    await context.close();
  });

  it('shows each day label whole in the map of every debate, at 1280 and 375 px, in German', async () => {
    const conversations = (await d.t.app.inject('/api/conversations')).json().conversations as { id: number; title: string }[];
    expect(conversations.length).toBeGreaterThan(1);
    for (const width of [1280, 375]) {
      const context = await browser.newContext({ viewport: { width, height: 800 }, locale: 'de-DE' });
      const page = await context.newPage();
      for (const c of conversations) {
        await page.goto(`${origin}/c/${c.id}`);
        // Scrolled to its end, the box shows the plot's right edge, where the last label was cut.
        await page.evaluate(() => document.querySelector('.map-scroll')!.scrollTo({ left: 10_000 }));
        const drawn = await page.evaluate(() => {
          const plot = document.querySelector<SVGSVGElement>('.dm-plot')!;
          const box = plot.viewBox.baseVal;
          const scroll = document.querySelector('.map-scroll')!.getBoundingClientRect();
          const labels = Array.from(plot.querySelectorAll<SVGTextElement>('.dm-day-label')).map((t) => {
            const b = t.getBBox();
            return { text: t.textContent!, left: b.x, right: b.x + b.width, onScreen: t.getBoundingClientRect().right };
          });
          return { left: box.x, right: box.x + box.width, scrollRight: scroll.right, labels };
        });
        const where = `${c.title} at ${width} px`;
        expect(drawn.labels.length, where).toBeGreaterThan(0);
        for (const l of drawn.labels) {
          expect(l.left, `${l.text}, ${where}`).toBeGreaterThanOrEqual(drawn.left);
          expect(l.right, `${l.text}, ${where}`).toBeLessThanOrEqual(drawn.right);
        }
        expect(drawn.labels.at(-1)!.onScreen, where).toBeLessThanOrEqual(drawn.scrollRight);
        // Two entries on two days, as the demo's /c/3: "24. Sept." and "25. Sept." with a lot of room between.
        if (c.title === 'Warum ich wieder mehr Feeds lese') {
          expect(drawn.labels.map((l) => l.text)).toEqual(['24. Sept.', '25. Sept.']);
          await page.locator('figure.debate-map').screenshot({ path: path.join(artifacts, `map-two-days-${width}.png`) });
        }
      }
      await context.close();
    }
  });

  it('takes the dark colours in dark mode and prints without the scroll box', async () => {
    const context = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${origin}/c/${d.conversationId}`);
    const colours = () =>
      page.evaluate(() => ({
        bg: getComputedStyle(document.querySelector('.dm-plot .dm-bg')!).fill,
        post: getComputedStyle(document.querySelector('.dm-plot .dm-post circle')!).fill,
        name: getComputedStyle(document.querySelector('.dm-labels .dm-lane-name')!).fill,
      }));
    const dark = await colours();
    expect(dark).toEqual({ bg: 'rgb(31, 30, 28)', post: 'rgb(240, 166, 116)', name: 'rgb(236, 235, 231)' });
    await page.locator('figure.debate-map').screenshot({ path: path.join(artifacts, 'map-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(colours()).resolves.toEqual({ bg: 'rgb(255, 255, 255)', post: 'rgb(138, 59, 18)', name: 'rgb(29, 29, 27)' });
    await page.emulateMedia({ media: 'print' });
    const print = await page.evaluate(() => ({ overflow: getComputedStyle(document.querySelector('.map-scroll')!).overflowX, link: getComputedStyle(document.querySelector('.map-svg')!).display }));
    expect(print).toEqual({ overflow: 'visible', link: 'none' });
    await context.close();
  });
});

describe('Also in this debate in Chromium', () => {
  it('lists a blog that pinged the debate unfollowed; one click on Follow registers it', async () => {
    const open = await startDemoDebate({ pings: { ...defaults.pings, moderation: 'open' }, registry: { ...defaults.registry, moderation: 'open' } });
    const site = await startFixtureServer();
    try {
      await open.t.app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(open.t.app.server.address() as { port: number }).port}`;
      const entries = (await open.t.app.inject(`/api/conversations/${open.conversationId}`)).json().entries as { kind: string; url: string; author: { name: string } }[];
      const target = entries.find((e) => e.kind === 'post' && e.author.name === 'planetsab')!.url;
      const body = `<p>Auch wir: <a href="${target}">planetsab über das Camp</a>.</p>`;
      const html = { 'content-type': 'text/html; charset=utf-8' };
      // As WordPress puts on every page.
      const feedLink = `<link rel="alternate" type="application/rss+xml" title="Testblog &raquo; Feed" href="${site.origin}/feed/">`;
      site.set('/', { headers: html, body: homePage(site.origin) });
      site.set('/2008/11/auch-ein-camp/', { headers: html, body: `<html><head><title>Auch ein Camp</title>${feedLink}</head><body>${body}</body></html>` });
      site.set('/feed/', { headers: { 'content-type': 'application/rss+xml' }, body: rssFeed(site.origin, [{ id: 1, title: 'Auch ein Camp', slug: 'auch-ein-camp', body, date: 'Tue, 18 Nov 2008 09:00:00 +0000' }]) });
      const ping = await open.t.app.inject({ method: 'POST', url: '/xmlrpc', headers: { 'content-type': 'text/xml' }, payload: serializeMethodCall('pingback.ping', [`${site.origin}/2008/11/auch-ein-camp/`, target]) });
      expect(ping.body).toContain('registered');

      const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${base}/c/${open.conversationId}`);
      const section = page.locator('section.also-in-debate');
      await expect(section.locator('li.site').count()).resolves.toBe(1);
      await section.scrollIntoViewIfNeeded();
      await section.screenshot({ path: path.join(artifacts, 'also-in-debate-375.png') });
      await expect(page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).resolves.toBeLessThanOrEqual(0);
      await section.getByRole('button', { name: `Follow ${new URL(site.origin).host}` }).click();
      await page.waitForURL(/\/blogs\/\d+\?registered=1$/);
      await expect(page.locator('h1').textContent()).resolves.toBe('Testblog');
      await context.close();
    } finally {
      await site.close();
      await open.close();
    }
  });
});
