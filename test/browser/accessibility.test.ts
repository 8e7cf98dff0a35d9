// The pages checked by axe-core in Chromium against WCAG 2.1 A and AA and axe's best practices:
// every page a reader, a blog owner and an operator reach in the demo debate, in English and
// German, light and dark, at 1280 and 375 px, with a form's error state and a missing page among
// them. What axe can only flag for a person to judge (contrast over the map's drawing) is not
// counted here.
/// <reference lib="dom" />
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoGroupSlug } from '../../src/demo/group.ts';
import { launchChromium } from '../support/chromium.ts';
import { startDemoDebate, type DemoDebate } from '../support/demo-debate.ts';

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const adminToken = 'an-admin-token-for-the-accessibility-check';
const rules = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

let d: DemoDebate;
let browser: Browser;
let origin: string;
let blogId: number;
let entryId: number;

beforeAll(async () => {
  d = await startDemoDebate({ adminToken });
  await d.t.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(d.t.app.server.address() as { port: number }).port}`;
  blogId = (await d.t.app.inject('/api/blogs')).json().blogs[0].id;
  entryId = (await d.t.app.inject(`/api/conversations/${d.conversationId}`)).json().entries[0].id;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await d?.close();
});

/** axe's violations on the page as it stands, one line each (rule, impact, the first elements). */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axeSource });
  const result = await page.evaluate(
    (tags) => (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResult> } }).axe.run(document, { runOnly: { type: 'tag', values: tags } }),
    rules,
  );
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

type Scheme = 'light' | 'dark';

/** Opens each path in a browser of `locale`, `width` and colour scheme, checks its status, and returns axe's findings by page. */
async function check(paths: { path: string; status?: number }[], locale: string, width: number, scheme: Scheme, headers: Record<string, string> = {}): Promise<Record<string, string[]>> {
  // Palaver's Content-Security-Policy allows no inline script; axe is injected as one.
  const context = await browser.newContext({ locale, viewport: { width, height: 900 }, colorScheme: scheme, bypassCSP: true, extraHTTPHeaders: headers });
  const found: Record<string, string[]> = {};
  try {
    const page = await context.newPage();
    for (const { path, status = 200 } of paths) {
      const res = await page.goto(`${origin}${path}`);
      expect(res?.status(), path).toBe(status);
      found[`${path} (${locale}, ${width} px, ${scheme})`] = await violations(page);
    }
  } finally {
    await context.close();
  }
  return found;
}

const none = (found: Record<string, string[]>) => Object.fromEntries(Object.keys(found).map((k) => [k, []]));

describe('accessibility (axe-core, WCAG 2.1 AA)', () => {
  const readerPages = () => [
    { path: '/' },
    { path: `/c/${d.conversationId}` },
    { path: `/c/${d.conversationId}?view=thread` },
    { path: `/c/${d.conversationId}?view=map` },
    { path: `/e/${entryId}` },
    { path: '/?q=Camp' },
    { path: '/?q=nirgendwo' },
    { path: '/blogs' },
    { path: `/blogs/${blogId}` },
    { path: '/groups' },
    { path: `/g/${demoGroupSlug}` },
    { path: '/c/999999', status: 404 },
  ];

  // Each language, width and colour scheme twice, in four combinations of them.
  const views: [string, number, Scheme][] = [
    ['en-GB', 1280, 'light'],
    ['en-GB', 375, 'dark'],
    ['de-DE', 1280, 'dark'],
    ['de-DE', 375, 'light'],
  ];
  for (const [locale, width, scheme] of views) {
    it(`finds nothing on the reader's pages in ${locale} at ${width} px, ${scheme}`, async () => {
      const found = await check(readerPages(), locale, width, scheme);
      expect(found).toEqual(none(found));
    });
  }

  it("finds nothing on the operator's pages, nor on the registry's form after a refusal", async () => {
    const found = await check([{ path: '/admin' }], 'en-GB', 1280, 'light', { authorization: `Bearer ${adminToken}` });
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 375, height: 900 }, bypassCSP: true });
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/blogs`);
      // A port nothing listens on: registration fails and the form comes back with its error.
      await page.getByRole('textbox', { name: /address of the blog/i }).fill('http://127.0.0.1:9/');
      await page.getByRole('button', { name: 'Register' }).click();
      await page.waitForLoadState();
      await expect(page.locator('#url-error').isVisible()).resolves.toBe(true);
      found['/blogs after a refused registration (en-GB, 375 px, light)'] = await violations(page);
    } finally {
      await context.close();
    }
    expect(found).toEqual(none(found));
  });
});
