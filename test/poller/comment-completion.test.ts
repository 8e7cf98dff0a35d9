import { afterEach, describe, expect, it } from 'vitest';
import { startBloggerBlog, type BloggerBlog } from '../support/fixture-blogs/blogger.ts';
import { startDemoBlogs, type DemoBlogs } from '../../src/demo/blogs.ts';
import { createDebate, debateSlugs, type BlogKey, type DebatePost } from '../../src/demo/debate.ts';
import type { EntriesChanged } from '../../src/domain/vocabulary.ts';
import { createPoller } from '../../src/poller/poller.ts';
import { createFeedReader, type FeedReader } from '../../src/reader/read-feed.ts';
import { FeedParseError } from '../../src/reader/types.ts';
import { registerBlog } from '../../src/registry/register-blog.ts';
import { listBlogSources } from '../../src/store/sources.ts';
import { pollerSettings } from '../../src/service.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { expectCountsMatchRecount } from '../support/db.ts';

interface ApiEntry {
  id: number;
  kind: string;
  url: string;
  author: { name: string | null };
  inReplyTo: number | null;
}

interface ApiConversation {
  id: number;
  missingCount: number;
  entries: ApiEntry[];
}

let t: TestApp | undefined;
let demo: DemoBlogs | undefined;
let blogger: BloggerBlog | undefined;

afterEach(async () => {
  if (t) await expectCountsMatchRecount(t.database);
  await demo?.close();
  await blogger?.close();
  await t?.close();
  t = demo = blogger = undefined;
});

const slug = debateSlugs.sachar;
// Sachar's debate post has two comments before the busy evening: Martin's (402) and planetsab's pingback (403).
const oldComment = 402;

/**
 * Twenty-five readers comment on Sachar's post between two polls; three of them answer another
 * comment: one an older one (402), two a comment of the same evening. Returns parent by author.
 */
function busyEvening(blogs: DemoBlogs, day = '2008-11-20'): Map<string, number | null> {
  const ids: number[] = [];
  const parents = new Map<string, number | null>();
  for (let n = 0; n < 25; n++) {
    // Reader 7 answers reader 2 and reader 22 answers reader 12 (both out of the feed's newest ten),
    // reader 15 answers Martin's comment from the week before.
    const parentId = n === 7 ? ids[2] : n === 22 ? ids[12] : n === 15 ? oldComment : undefined;
    const author = `Leserin ${n}`;
    ids.push(blogs.addComment('sachar', slug, { author, content: `Kommentar Nummer ${n} zum Camp.`, date: `${day}T18:${String(10 + n).padStart(2, '0')}:00Z`, ...(parentId ? { parentId } : {}) }));
    parents.set(author, parentId ?? null);
  }
  return parents;
}

async function conversationOf(app: TestApp, title = 'Idee: ein Social Media Camp'): Promise<ApiConversation> {
  const list = (await app.app.inject('/api/conversations')).json().conversations as { id: number; title: string }[];
  const found = list.find((c) => c.title === title);
  expect(found, JSON.stringify(list.map((c) => c.title))).toBeDefined();
  return (await app.app.inject(`/api/conversations/${found!.id}`)).json() as ApiConversation;
}

/** Checks that every comment of the busy evening is stored once and hangs under its parent. */
function expectWholeEvening(c: ApiConversation, parents: Map<string, number | null>, postUrl: string): void {
  const post = c.entries.find((e) => e.url === postUrl);
  expect(post).toBeDefined();
  const byAuthor = new Map(c.entries.filter((e) => e.author.name?.startsWith('Leserin ')).map((e) => [e.author.name!, e]));
  expect([...byAuthor.keys()].sort()).toEqual([...parents.keys()].sort());
  const commentId = (wpId: number) => c.entries.find((e) => e.url.endsWith(`#comment-${wpId}`))?.id;
  for (const [author, parentWpId] of parents) {
    const entry = byAuthor.get(author)!;
    expect(entry.kind, author).toBe('comment');
    expect(entry.inReplyTo, `${author} answers ${parentWpId ?? 'the post'}`).toBe(parentWpId === null ? post!.id : commentId(parentWpId));
  }
}

async function startDebate(options: Parameters<typeof startDemoBlogs>[0] = {}, now?: () => Date): Promise<{ t: TestApp; demo: DemoBlogs }> {
  t = await createTestApp({}, now ? { now } : {});
  demo = await startDemoBlogs(options);
  for (const blog of demo.blogs) await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, blog.homeUrl);
  await t.poller.pollOnce({ force: true });
  return { t, demo };
}

/** Polls once, forced, through a reading thread whose jobs `watch` may look at, as the service's poller reads. */
async function pollThroughReader(app: TestApp, watch: (reader: FeedReader) => FeedReader): Promise<void> {
  const reader = createFeedReader({ timeoutMs: 20_000, memoryMb: 256, idleMs: 1000 });
  try {
    await createPoller({ db: app.database.db, fetch: app.fetcher.fetch, settings: pollerSettings(app.config), log: { info: () => {}, warn: () => {}, error: () => {} }, reader: watch(reader) }).pollOnce({ force: true });
  } finally {
    await reader.close();
  }
}

function hitsOf(blogs: DemoBlogs, key: BlogKey, path: RegExp): string[] {
  return blogs.blogs.find((b) => b.key === key)!.server.hits.map((h) => h.path).filter((p) => path.test(p));
}

function postPath(blogs: DemoBlogs): string {
  return new URL(blogs.permalink('sachar', slug)).pathname;
}

describe('comments of a busy WordPress post', () => {
  it('stores all 25 comments of one evening in one poll through the REST API, replies under their parents', async () => {
    const { t, demo } = await startDebate();
    const parents = busyEvening(demo);
    const summary = await t.poller.pollOnce({ force: true });

    const c = await conversationOf(t);
    expectWholeEvening(c, parents, demo.permalink('sachar', slug));
    expect(c.missingCount).toBe(0);
    // The feeds show the newest ten; the rest came from wp/v2/comments, paged by 100.
    expect(hitsOf(demo, 'sachar', /^\/wp-json\/wp\/v2\/comments\?/)).toEqual([expect.stringContaining('post=41&per_page=100&page=1&orderby=date_gmt&order=asc')]);
    // WordPress answered the post feed 304 (only comments changed): nothing depended on its count.
    const postFeed = summary.results.find((r) => r.url === `${demo.blogs[0]!.origin}/feed/`);
    expect(postFeed?.outcome).toBe('not-modified');
    // planetsab's pingback (403) is merged into planetsab's post and still counts as present.
    expect(c.entries.some((e) => e.url.endsWith('#comment-403'))).toBe(false);
  });

  it('reads the post page and its comment pages when the REST API answers 401', async () => {
    const { t, demo } = await startDebate({ commentsPerPage: 5 });
    demo.setRestApi('sachar', 401);
    const parents = busyEvening(demo);
    await t.poller.pollOnce({ force: true });

    const c = await conversationOf(t);
    expectWholeEvening(c, parents, demo.permalink('sachar', slug));
    expect(c.missingCount).toBe(0);
    // 24 threads of 5 a page: the post's own URL shows page 5, the navigation names 1 and 4, and 2, 3 follow.
    expect(hitsOf(demo, 'sachar', /comment-page-\d+\/$/).map((p) => p.replace(/.*comment-page-/, '')).sort()).toEqual(['1/', '2/', '3/', '4/']);
    const blog = (await t.app.inject(`/api/blogs/${1}`)).json();
    expect(blog.restApi).toEqual({ url: `${demo.blogs[0]!.origin}/wp-json/`, status: 'off', reason: expect.stringContaining('401 (rest_not_logged_in') });
    expect(blog.missingCount).toBe(0);
  });

  it("builds the post page's comment pages in the poller's reading thread, not on the event loop", async () => {
    const { t, demo } = await startDebate({ commentsPerPage: 5 });
    demo.setRestApi('sachar', 401);
    const parents = busyEvening(demo);
    const pagesRead: string[] = [];
    await pollThroughReader(t, (reader) => ({ ...reader, readCommentList: (html, url, limits) => (pagesRead.push(url), reader.readCommentList(html, url, limits)) }));
    const c = await conversationOf(t);
    expectWholeEvening(c, parents, demo.permalink('sachar', slug));
    expect(c.missingCount).toBe(0);
    expect(pagesRead.map((u) => /comment-page-\d+\/$/.exec(u)?.[0] ?? '').sort()).toEqual(['', 'comment-page-1/', 'comment-page-2/', 'comment-page-3/', 'comment-page-4/']);
  });

  it("reads a post feed of 128 KiB or more again for the post's comment count in the poller's reading thread", async () => {
    const { t, demo } = await startDebate();
    // The REST API and the post page fail, so only the post feed can say how many comments there are.
    demo.setRestApi('sachar', 404);
    demo.blogs[0]!.server.set(postPath(demo), { status: 500, headers: { 'content-type': 'text/html' }, body: '<h1>Fehler</h1>' });
    busyEvening(demo);
    const feed = (await listBlogSources(t.database.db, [1])).find((s) => s.kind === 'feed')!;
    // The feed as it is now, past 128 KiB with a comment after its declaration: a read below that
    // size is made in place, on the event loop.
    const current = await fetch(feed.url);
    const xml = (await current.text()).replace(/^(<\?xml[^>]*\?>)/, `$1<!-- ${'Archiv. '.repeat(17_000)} -->`);
    expect(Buffer.byteLength(xml)).toBeGreaterThan(128 * 1024);
    demo.blogs[0]!.server.set(new URL(feed.url).pathname, { status: 200, headers: { 'content-type': current.headers.get('content-type')! }, body: xml });

    const readWhole: string[] = [];
    await pollThroughReader(t, (reader) => ({ ...reader, read: (body, contentType, url) => (readWhole.push(url), reader.read(body, contentType, url)) }));
    // The poll reads the feed with its items (readItems); the count is read with read, once.
    expect(readWhole).toEqual([feed.url]);
    expect((await conversationOf(t)).missingCount).toBe(15);
  });

  it('says 15 comments are missing when the REST API is off and the post page cannot be read, and looks again sooner', async () => {
    let clock = new Date('2026-03-01T12:00:00Z');
    const { t, demo } = await startDebate({}, () => clock);
    demo.setRestApi('sachar', 404);
    demo.blogs[0]!.server.set(postPath(demo), { status: 500, headers: { 'content-type': 'text/html' }, body: '<h1>Fehler beim Aufbau einer Datenbankverbindung</h1>' });
    busyEvening(demo);
    clock = new Date('2026-03-01T13:00:00Z');
    await t.poller.pollOnce({ force: true });

    // 27 comments reported (2 + 25), 12 stored (the two of last week and the feed's newest ten).
    const c = await conversationOf(t);
    expect(c.missingCount).toBe(15);
    expect((await t.app.inject(`/c/${c.id}`)).body).toContain('15 comments may be missing');
    const blog = (await t.app.inject('/api/blogs/1')).json();
    expect(blog.missingCount).toBe(15);
    expect(blog.commentGaps).toEqual([
      expect.objectContaining({ url: demo.permalink('sachar', slug), reported: 27, known: 12, missingCount: 15, reason: expect.stringMatching(/REST API is switched off \(the REST API answered 404 \(rest_no_route.*the post page answered 500/) }),
    ]);
    const page = (await t.app.inject('/blogs/1')).body;
    expect(page).toContain('15 of 27 missing');
    expect(page).toContain('the post page answered 500');

    // Ten quiet days later the gap is still there: its next check comes after an hour (the second
    // retry), where a thread quiet for ten days would wait twelve.
    clock = new Date('2026-03-11T12:00:00Z');
    await t.poller.pollOnce();
    const source = (await t.app.inject('/api/blogs/1')).json().sources.find((s: { url: string }) => s.url === `${demo.permalink('sachar', slug)}feed/atom/`);
    expect(source.missingReason).toContain('the post page answered 500');
    expect(source.nextCheckAt).toBe('2026-03-11T13:00:00.000Z');
    expect((await conversationOf(t)).missingCount).toBe(15);
  });

  it('brings the comments although the post feed answers 304, when the thread had gone quiet', async () => {
    let clock = new Date('2026-03-01T12:00:00Z');
    const { t, demo } = await startDebate({}, () => clock);
    // Ninety days on the post's comment feed has been quiet long enough to rest (commentFeedMaxQuietDays).
    clock = new Date('2026-05-30T12:00:00Z');
    await t.poller.pollOnce();
    const parents = busyEvening(demo, '2026-05-30');
    clock = new Date('2026-05-30T19:00:00Z');
    const summary = await t.poller.pollOnce();

    const postFeed = summary.results.find((r) => r.url === `${demo.blogs[0]!.origin}/feed/`);
    expect(postFeed?.outcome).toBe('not-modified');
    expectWholeEvening(await conversationOf(t), parents, demo.permalink('sachar', slug));
  });
});

describe('comments beyond the limits', () => {
  it('reads at most poller.maxCommentPages comment pages and says how many are still missing', async () => {
    t = await createTestApp({ poller: { ...(await import('../../config/default.json', { with: { type: 'json' } })).default.poller, maxCommentPages: 2 } });
    demo = await startDemoBlogs({ commentsPerPage: 5, restApi: 403 });
    for (const blog of demo.blogs) await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, blog.homeUrl);
    await t.poller.pollOnce({ force: true });
    busyEvening(demo);
    await t.poller.pollOnce({ force: true });

    // Pages 5 (the post's URL) and 4 hold the newest threads; pages 1 to 3 were left unread.
    expect(hitsOf(demo, 'sachar', /comment-page-\d+\/$/)).toEqual([`${postPath(demo)}comment-page-4/`]);
    const c = await conversationOf(t);
    expect(c.missingCount).toBeGreaterThan(0);
    const gaps = (await t.app.inject('/api/blogs/1')).json().commentGaps;
    expect(gaps[0].reason).toContain('read up to the limit of 2 pages');
  });
});

describe('hostile answers while completing comments', () => {
  it('keeps what the feeds brought and says why, when the REST API floods and the post page nests 30,000 deep', async () => {
    const { t, demo } = await startDebate();
    const server = demo.blogs[0]!.server;
    // More comments than per_page allows, then a page over the byte cap; the post page is a nesting bomb.
    server.set('/wp-json/wp/v2/comments', { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ id: i + 1, post: 41 }))) });
    server.set(postPath(demo), { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: `<ol><li id="comment-1">${'<div>'.repeat(30_000)}</ol>` });
    busyEvening(demo);
    const summary = await t.poller.pollOnce({ force: true });
    expect(summary.crashed).toBe(0);
    expect((await t.app.inject('/health')).statusCode).toBe(200);

    const c = await conversationOf(t);
    expect(c.entries.filter((e) => e.author.name?.startsWith('Leserin '))).toHaveLength(10);
    expect(c.missingCount).toBe(15);
    const [gap] = (await t.app.inject('/api/blogs/1')).json().commentGaps;
    expect(gap.reason).toContain('the REST API answered with 5000 comments, more than the 100 asked for');
    expect(gap.reason).toContain('nests elements more than 512 levels deep');

    server.set('/wp-json/wp/v2/comments', { status: 200, headers: { 'content-type': 'application/json' }, body: `[${'{"id":1,"post":41},'.repeat(200_000)}{}]` });
    await t.poller.pollOnce({ force: true });
    expect((await t.app.inject('/api/blogs/1')).json().commentGaps[0].reason).toMatch(/the REST API could not be read: .*larger than the limit/);
  });
});

describe("a reading thread's limit while completing comments", () => {
  const limitReason = "reading the items took longer than 20 s";
  const silent = { info: () => {}, warn: () => {}, error: () => {} };

/** The next poll, with no limit in the way, stores the whole evening and leaves nothing missing. */
async function expectCompletedByNextPoll(t: TestApp, demo: Awaited<ReturnType<typeof startDebate>>['demo'], parents: Parameters<typeof expectWholeEvening>[1]): Promise<void> {
  await t.poller.pollOnce({ force: true });
  const c = await conversationOf(t);
  expectWholeEvening(c, parents, demo.permalink('sachar', slug));
  expect(c.missingCount).toBe(0);
  expect((await commentSourceOf(t, demo)).lastError).toBeNull();
}

  /**
   * A reader whose drafting job stops at its limit when it holds Leserin 0's comment: she wrote
   * first that evening, so the feed's newest ten leave her out and only the completion drafts her.
   */
  function limitedAtCompletion(reader: FeedReader): FeedReader {
    return {
      ...reader,
      draft: (items, kind, at) =>
        items.some((i) => i.authorName === 'Leserin 0') ? Promise.reject(new FeedParseError('too-large', limitReason)) : reader.draft(items, kind, at),
    };
  }

  function commentSourceOf(app: TestApp, blogs: DemoBlogs): Promise<{ lastError: string | null; missingReason: string | null }> {
    return app.app.inject('/api/blogs/1').then((r) => r.json().sources.find((s: { url: string }) => s.url === `${blogs.permalink('sachar', slug)}feed/atom/`));
  }

  it("fails the poll of a post's comments with the limit as its reason, keeps the feed's comments, and completes them on the next poll", async () => {
    const { t, demo } = await startDebate();
    const parents = busyEvening(demo);
    const reader = createFeedReader({ timeoutMs: 20_000, memoryMb: 256, idleMs: 1000 });
    try {
      const changed: EntriesChanged[] = [];
      const limited = createPoller({ db: t.database.db, fetch: t.fetcher.fetch, settings: pollerSettings(t.config), log: silent, reader: limitedAtCompletion(reader), onEntriesChanged: (c) => changed.push(c) });
      const summary = await limited.pollOnce({ force: true });

      expect(summary.crashed).toBe(0);
      const failed = summary.results.filter((r) => r.outcome === 'failed');
      expect(failed).toEqual([expect.objectContaining({ url: `${demo.permalink('sachar', slug)}feed/atom/`, error: `the missing comments could not be read: ${limitReason}` })]);
      // Its ten, new, or stored a moment before by the blog's comment feed polled beside it (the
      // order in which side-by-side polls finish is the database's and the network's).
      expect(failed[0]!.inserted + failed[0]!.updated).toBe(10);
      expect((await commentSourceOf(t, demo)).lastError).toBe(`the missing comments could not be read: ${limitReason}`);
      expect((await t.app.inject('/health')).statusCode).toBe(200);
      // The feed's newest ten are stored and threaded, and their listeners told; the REST API's fifteen are not.
      const stored = (await conversationOf(t)).entries.filter((e) => e.author.name?.startsWith('Leserin '));
      expect(stored.map((e) => e.author.name).sort()).toEqual(Array.from({ length: 10 }, (_, n) => `Leserin ${n + 15}`).sort());
      expect(changed.flatMap((c) => c.entryIds)).toEqual(expect.arrayContaining(stored.map((e) => e.id)));

      await expectCompletedByNextPoll(t, demo, parents);
    } finally {
      await reader.close();
    }
  });

  it("fails a 304 poll that went back for missing comments with the limit as its reason, and completes them on the next poll", async () => {
    const { t, demo } = await startDebate();
    const parents = busyEvening(demo);
    const server = demo.blogs[0]!.server;
    const page = await fetch(demo.permalink('sachar', slug));
    const pageRoute = { status: 200, headers: { 'content-type': page.headers.get('content-type')! }, body: await page.text() };
    // The REST API and the post page fail: fifteen comments are noted missing.
    demo.setRestApi('sachar', 403);
    server.set(postPath(demo), { status: 500, headers: { 'content-type': 'text/html' }, body: '<h1>Fehler</h1>' });
    await t.poller.pollOnce({ force: true });
    expect((await conversationOf(t)).missingCount).toBe(15);

    // The post page is back; the comment feed has nothing new (304), so only the completion drafts.
    server.set(postPath(demo), pageRoute);
    const reader = createFeedReader({ timeoutMs: 20_000, memoryMb: 256, idleMs: 1000 });
    try {
      const limited = createPoller({ db: t.database.db, fetch: t.fetcher.fetch, settings: pollerSettings(t.config), log: silent, reader: limitedAtCompletion(reader) });
      const summary = await limited.pollOnce({ force: true });

      expect(summary.crashed).toBe(0);
      expect(summary.results.filter((r) => r.outcome === 'failed')).toEqual([
        expect.objectContaining({ url: `${demo.permalink('sachar', slug)}feed/atom/`, status: 304, error: `the missing comments could not be read: ${limitReason}`, inserted: 0 }),
      ]);
      const source = await commentSourceOf(t, demo);
      expect(source.lastError).toBe(`the missing comments could not be read: ${limitReason}`);
      // What was missing is still said to be missing, and why.
      expect(source.missingReason).toContain('the post page answered 500');
      expect((await conversationOf(t)).missingCount).toBe(15);

      await expectCompletedByNextPoll(t, demo, parents);
    } finally {
      await reader.close();
    }
  });
});

describe('comments of a busy Blogger post', () => {
  it('pages through the comment feed with start-index and max-results when it shows 25 of 40', async () => {
    t = await createTestApp();
    const posts: DebatePost[] = createDebate()[1]!.posts;
    const post = posts.find((p) => p.slug === debateSlugs.planetsab)!;
    for (let n = 0; n < 36; n++) {
      post.comments.push({ id: 5000 + n, type: 'comment', author: `Leser ${n}`, date: `2008-11-16T${String(8 + Math.floor(n / 6)).padStart(2, '0')}:${String((n % 6) * 10).padStart(2, '0')}:00Z`, content: `Kommentar ${n}`, parentId: 0 });
    }
    blogger = await startBloggerBlog({ posts });
    await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, blogger.homeUrl);
    await t.poller.pollOnce({ force: true });

    const c = await conversationOf(t, 'Social Media Camp – ein kleiner Exkurs');
    // Blogger has no pingback: 4 comments of the debate plus 36.
    expect(c.entries.filter((e) => e.kind === 'comment')).toHaveLength(40);
    expect(c.missingCount).toBe(0);
    expect(blogger.server.hits.some((h) => h.path.includes('start-index=1&max-results=500'))).toBe(true);
  });
});
