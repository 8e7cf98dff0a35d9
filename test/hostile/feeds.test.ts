// Charset and XML cases through the whole pipeline: a registered blog's feed turns into the
// hostile document, the real poller reads it, and the API shows what was stored. Each case gets
// its own Palaver so its entries can be counted exactly.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cp1252Title, latin1Title, startFaultServer, type FaultServer } from './fault-server.ts';
import { expectMemoryBound, expectPlainWords, whileServing } from './expect.ts';
import { createWorld, measurePeakRss, type World } from './world.ts';

let faults: FaultServer;
let world: World;
beforeAll(async () => {
  faults = await startFaultServer({ maxBodyBytes: 5 * 1024 * 1024 });
});
afterAll(async () => {
  await faults.close();
});
beforeEach(async () => {
  world = await createWorld(faults);
});
afterEach(async () => {
  await world.close();
});

interface ApiEntry {
  id: number;
  title: string | null;
  publishedAt: string;
  contentHtml: string | null;
  blog: { id: number } | null;
}

/** Every entry of the blog, read through /api/conversations. */
async function entriesOf(blogId: number): Promise<ApiEntry[]> {
  const list = await world.app.inject({ method: 'GET', url: '/api/conversations?limit=200' });
  expect(list.statusCode).toBe(200);
  const out: ApiEntry[] = [];
  for (const c of list.json<{ conversations: { id: number }[] }>().conversations) {
    const res = await world.app.inject({ method: 'GET', url: `/api/conversations/${c.id}` });
    expect(res.statusCode).toBe(200);
    out.push(...res.json<{ entries: ApiEntry[] }>().entries.filter((e) => e.blog?.id === blogId));
  }
  return out;
}

/** Registers a good blog, turns its feed into `mode`, polls, and returns the blog's status. */
async function pollHostile(name: string, mode: string, serving: Parameters<typeof whileServing>[2] = {}) {
  const { id } = await world.registerGoodBlog(name);
  faults.setFeed(name, mode);
  const { value: summary, peakDeltaMb } = await measurePeakRss(() => whileServing(world, () => world.pollAll(), serving));
  expect(summary.crashed).toBe(0);
  await world.expectHealthy();
  return { id, blog: await world.blog(id), peakDeltaMb };
}

// Control characters are exactly what this looks for.
// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

describe('encodings', () => {
  it.each([
    ['latin1-header-only', latin1Title],
    ['latin1-prolog-only', latin1Title],
    ['cp1252-header-only', cp1252Title],
    ['cp1252-prolog-only', cp1252Title],
    ['cp1252-header-utf8-prolog', cp1252Title],
    ['utf8-header-cp1252-prolog', cp1252Title],
    ['cp1252-undeclared', cp1252Title],
    ['utf8-declared-latin1', latin1Title],
    ['utf16le-bom', cp1252Title],
    ['utf16be-bom', cp1252Title],
    ['utf8-bom-before-prolog', cp1252Title],
    ['whitespace-before-prolog', cp1252Title],
  ])('%s: the feed reads with every umlaut and quote intact', async (mode, title) => {
    const { id, blog } = await pollHostile(`e-${mode}`, mode);
    expect(blog.status).toBe('active');
    expect(blog.title).toBe(title);
    expect(blog.entryCount).toBe(4);
    const item = (await entriesOf(id)).find((e) => e.title?.startsWith('Kommentar'));
    expect(item?.title).toBe('Kommentar: Grüße aus Köln');
    expect(item?.contentHtml).toContain('äöüß');
  });

  it('control characters are dropped from what is stored', async () => {
    const { id, blog } = await pollHostile('e-control', 'control-characters');
    expect(blog.status).toBe('active');
    expect(blog.title).toBe('Control characters');
    const item = (await entriesOf(id)).find((e) => e.title?.includes('Bell'));
    expect(item?.title).toBe('NullBellEsc ok');
    for (const e of await entriesOf(id)) expect(`${e.title} ${e.contentHtml}`).not.toMatch(controlCharacters);
  });

  it('lone surrogates (as UTF-8 bytes and as a character reference) never reach the store', async () => {
    const { id, blog } = await pollHostile('e-surrogates', 'lone-surrogates');
    if (blog.status === 'active') {
      // A high surrogate not followed by a low one, or a low one not preceded by a high one.
      for (const e of await entriesOf(id)) expect(`${e.title} ${e.contentHtml}`).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      expect(blog.entryCount).toBe(4);
    } else {
      expectPlainWords(blog.lastError, /the feed could not be read/);
      expect(blog.entryCount).toBe(3);
    }
    // The HTML page of every conversation is well-formed UTF-16 and renders.
    const home = await world.app.inject({ method: 'GET', url: '/' });
    expect(home.statusCode).toBe(200);
  });
});

describe('xml', () => {
  it('billion laughs: entities stay unexpanded, memory stays flat', async (ctx) => {
    const { id, blog, peakDeltaMb } = await pollHostile('x-laughs', 'billion-laughs');
    expectMemoryBound(ctx, peakDeltaMb, 64);
    if (blog.status === 'active') {
      for (const e of await entriesOf(id)) expect(e.contentHtml ?? '').not.toContain('lollol');
    } else expectPlainWords(blog.lastError, /the feed could not be read/);
    expect(blog.entryCount).toBeGreaterThanOrEqual(3);
  });

  it('quadratic blowup: a large entity used many times is not expanded', async (ctx) => {
    const { id, blog, peakDeltaMb } = await pollHostile('x-quadratic', 'quadratic-blowup');
    expectMemoryBound(ctx, peakDeltaMb, 96);
    if (blog.status === 'active') {
      for (const e of await entriesOf(id)) expect((e.contentHtml ?? '').length).toBeLessThan(1_000_000);
    } else expectPlainWords(blog.lastError, /the feed could not be read/);
    expect(blog.entryCount).toBeGreaterThanOrEqual(3);
  });

  it.each(['external-entity-file', 'external-entity-http', 'external-dtd'])('%s: nothing outside the document is read', async (mode) => {
    const { id, blog } = await pollHostile(`x-${mode}`, mode);
    expect(faults.hits.some((h) => h.path.startsWith('/secret'))).toBe(false);
    for (const e of await entriesOf(id)) expect(e.contentHtml ?? '').not.toMatch(/root:|daemon:/);
    if (blog.status !== 'active') expectPlainWords(blog.lastError, /the feed could not be read/);
    expect(blog.entryCount).toBeGreaterThanOrEqual(3);
  });

  it('bare ampersands: the feed is read and the text keeps them', async () => {
    const { id, blog } = await pollHostile('x-amp', 'bare-ampersand');
    expect(blog.status).toBe('active');
    expect((await entriesOf(id)).map((e) => e.title)).toContain('Fish & Chips & more');
  });

  it.each(['broken-cdata', 'truncated'])('%s: a clear error, and the entries stay', async (mode) => {
    const { blog } = await pollHostile(`x-${mode}`, mode);
    expect(blog.status).toBe('failing');
    expectPlainWords(blog.lastError, /the feed could not be read/);
    expect(blog.entryCount).toBe(3);
  });

  it('10,000 items: the newest poller.maxItemsPerPoll are stored once, within a memory bound, while the service answers', async (ctx) => {
    // The whole document is parsed, then only the newest 500 items are stored (the rest is
    // counted on the blog's page); /health's slowest answer meanwhile is recorded.
    const { id, blog, peakDeltaMb } = await pollHostile('x-many', 'ten-thousand-items', { ctx, boundMs: 15_000 });
    expectMemoryBound(ctx, peakDeltaMb, 256);
    expect(blog.status).toBe('active');
    expect(blog.entryCount).toBe(3 + world.config.poller.maxItemsPerPoll);
    // A second poll of the same document duplicates nothing.
    await world.pollAll();
    expect((await world.blog(id)).entryCount).toBe(3 + world.config.poller.maxItemsPerPoll);
  });

  it('a 5 MB text node under the byte cap is read within a memory bound', async (ctx) => {
    const { blog, peakDeltaMb } = await pollHostile('x-huge', 'five-mb-text-node', { ctx, boundMs: 5000 });
    expectMemoryBound(ctx, peakDeltaMb, 256);
    if (blog.status === 'active') expect(blog.entryCount).toBe(4);
    else expectPlainWords(blog.lastError, /could not be read|larger than/);
  });

  it('100,000 nested elements: read or refused, never a crash', async (ctx) => {
    const { blog, peakDeltaMb } = await pollHostile('x-deep', 'deep-nesting', { ctx, boundMs: 5000 });
    expectMemoryBound(ctx, peakDeltaMb, 256);
    if (blog.status === 'active') expect(blog.entryCount).toBe(4);
    else expectPlainWords(blog.lastError, /the feed could not be read/);
  });

  it('a markup declaration that runs on (100,000 characters) is refused at once, in plain words', async (ctx) => {
    const { blog } = await pollHostile('x-decl', 'runaway-declaration', { ctx, boundMs: 2000 });
    expect(blog.status).not.toBe('active');
    expectPlainWords(blog.lastError, /the feed could not be read: not well-formed XML at line \d+: a markup declaration/);
  });

  it('__proto__ and constructor elements pollute nothing', async () => {
    const { id, blog } = await pollHostile('x-proto', 'proto-elements');
    expect(blog.status).toBe('active');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect((await entriesOf(id)).map((e) => e.title)).toContain('proto');
  });

  it('duplicate guids make one entry', async () => {
    const { id, blog } = await pollHostile('x-dup', 'duplicate-guids');
    expect(blog.status).toBe('active');
    expect(blog.entryCount).toBe(5);
    await world.pollAll();
    expect((await world.blog(id)).entryCount).toBe(5);
  });

  it('items without guid or link are kept, and a repeated poll duplicates none', async () => {
    const { id, blog } = await pollHostile('x-noguid', 'missing-guids');
    expect(blog.status).toBe('active');
    expect(blog.entryCount).toBe(6);
    await world.pollAll();
    await world.pollAll();
    expect((await world.blog(id)).entryCount).toBe(6);
  });

  it('German dates are read right or left unknown, never misread', async () => {
    const { id, blog } = await pollHostile('x-german', 'german-dates');
    expect(blog.status).toBe('active');
    expect(blog.entryCount).toBe(7);
    const byTitle = new Map((await entriesOf(id)).map((e) => [e.title, e.publishedAt]));
    expect(byTitle.get('Montag')).toBe('2008-11-17T09:00:00.000Z');
    const days: Record<string, string> = { Dienstag: '2008-11-18', Punkt: '2008-11-19', Dezember: '2008-12-0' };
    for (const [title, day] of Object.entries(days)) {
      const at = byTitle.get(title)!;
      // Unreadable dates fall back to when Palaver first saw the item.
      const firstSeen = Math.abs(Date.parse(at) - Date.now()) < 60_000;
      expect(at.startsWith(day) || at.startsWith(day.slice(0, 9)) || firstSeen, `${title}: ${at}`).toBe(true);
    }
  });

  it('odd dates (empty, impossible, epoch, year 10000, junk) are stored as valid times', async () => {
    const { id, blog } = await pollHostile('x-odd', 'odd-dates');
    expect(blog.status).toBe('active');
    expect(blog.entryCount).toBe(8);
    for (const e of await entriesOf(id)) {
      expect(Number.isNaN(Date.parse(e.publishedAt)), `${e.title}: ${e.publishedAt}`).toBe(false);
      expect(Date.parse(e.publishedAt)).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
    }
    const page = await world.app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
  });

  it('a date in the future does not pin its conversation to the top for decades', async () => {
    const { id } = await pollHostile('x-future', 'future-dates');
    const entry = (await entriesOf(id)).find((e) => e.title === 'From the future');
    expect(entry).toBeDefined();
    expect(Date.parse(entry!.publishedAt)).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
    const list = await world.app.inject({ method: 'GET', url: '/api/conversations' });
    for (const c of list.json<{ conversations: { lastActivityAt: string }[] }>().conversations) {
      expect(Date.parse(c.lastActivityAt)).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
    }
  });
});
