// The Social Media Camp debate end to end: three WordPress 6 fixture blogs registered, their
// post feeds and comment feeds polled, and the conversation checked through the JSON API.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDemoBlogs, type DemoBlogs } from '../../src/demo/blogs.ts';
import { debateSlugs } from '../../src/demo/debate.ts';
import { registerBlog } from '../../src/registry/register-blog.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { expectCountsMatchRecount } from '../support/db.ts';

interface ApiEntry {
  id: number;
  kind: string;
  url: string | null;
  title: string | null;
  author: { name: string | null; url: string | null };
  blog: { id: number; title: string | null } | null;
  inReplyTo: number | null;
  via: string[];
  contentHtml: string | null;
}

let t: TestApp;
let demo: DemoBlogs;

async function registerAll(): Promise<void> {
  for (const blog of demo.blogs) await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, blog.homeUrl);
}

async function debate(): Promise<{ id: number; title: string; blogCount: number; missingCount: number; entries: ApiEntry[] }> {
  const list = (await t.app.inject('/api/conversations')).json().conversations as { id: number; title: string }[];
  const found = list.find((c) => c.title === 'Idee: ein Social Media Camp');
  expect(found, JSON.stringify(list.map((c) => c.title))).toBeDefined();
  return (await t.app.inject(`/api/conversations/${found!.id}`)).json();
}

beforeEach(async () => {
  t = await createTestApp();
  demo = await startDemoBlogs({ freitagCharset: 'windows-1252' });
});

afterEach(async () => {
  await expectCountsMatchRecount(t.database);
  await demo.close();
  await t.close();
});

describe('threading the Social Media Camp debate', () => {
  it('shows three blogs, the comments and the threaded reply as one conversation', async () => {
    await registerAll();
    await t.poller.pollOnce({ force: true });
    const c = await debate();
    expect(c.blogCount).toBe(3);

    const sachar = c.entries.find((e) => e.url === demo.permalink('sachar', debateSlugs.sachar))!;
    const planetsab = c.entries.find((e) => e.url === demo.permalink('planetsab', debateSlugs.planetsab))!;
    const freitag = c.entries.find((e) => e.url === demo.permalink('freitag', debateSlugs.freitag))!;
    expect(sachar).toMatchObject({ kind: 'post', inReplyTo: null });
    expect(planetsab).toMatchObject({ kind: 'post', title: 'Social Media Camp – ein kleiner Exkurs', inReplyTo: sachar.id });
    expect(freitag).toMatchObject({ kind: 'post' });
    expect([sachar.id, planetsab.id]).toContain(freitag.inReplyTo);

    const jens = c.entries.find((e) => e.author.name === 'Jens Best')!;
    const katrin = c.entries.find((e) => e.author.name === 'Katrin R.' && e.inReplyTo === jens.id);
    expect(jens).toMatchObject({ kind: 'comment', inReplyTo: planetsab.id, via: ['comment-feed'] });
    expect(katrin, 'Katrin answers Jens (thr:in-reply-to of the Atom comment feed)').toBeDefined();

    // The pingbacks WordPress shows as comments are the posts themselves: one node each.
    expect(c.entries.filter((e) => e.kind === 'pingback' || e.kind === 'trackback')).toEqual([]);
    expect(freitag.via).toEqual(expect.arrayContaining(['feed', 'pingback']));
    expect(planetsab.via).toEqual(expect.arrayContaining(['feed', 'pingback']));
    expect(c.entries.filter((e) => e.url === freitag.url)).toHaveLength(1);

    // German text from the windows-1252 blog comes out right.
    expect(freitag.title).toBe('Social Media Camp: Viel Gerede, noch kein Camp');
    expect(freitag.contentHtml).toContain('„Social Media Camp“');
  });

  it('keeps one node for a post seen via its feed, as a pingback comment and in a pingback listing', async () => {
    await registerAll();
    await t.poller.pollOnce({ force: true });
    // getPingbacks on planetsab's post names Freitag's post; it is checked before it counts.
    const verified = await t.pingVerifier.runOnce();
    expect(verified.accepted).toBeGreaterThan(0);
    const c = await debate();
    const freitag = c.entries.filter((e) => e.url === demo.permalink('freitag', debateSlugs.freitag));
    expect(freitag).toHaveLength(1);
    expect(new Set(freitag[0]!.via)).toEqual(new Set(['feed', 'pingback', 'listing']));
    expect(c.entries.filter((e) => e.kind !== 'post' && e.kind !== 'comment')).toEqual([]);
  });

  it('finds the same conversation whatever order the blogs are polled in, and a second poll adds nothing', async () => {
    // Freitag first, Sachar last: the links and pings resolve as their targets arrive.
    for (const key of ['freitag', 'planetsab', 'sachar'] as const) {
      await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, demo.blogs.find((b) => b.key === key)!.homeUrl);
      await t.poller.pollOnce({ force: true });
    }
    const first = await debate();
    expect(first.blogCount).toBe(3);
    await t.poller.pollOnce({ force: true });
    const second = await debate();
    expect(second.entries.map((e) => e.id)).toEqual(first.entries.map((e) => e.id));
    expect(second.id).toBe(first.id);
  });

  it('picks up a new threaded reply on the next poll and shows it on the page', async () => {
    await registerAll();
    await t.poller.pollOnce({ force: true });
    const before = await debate();
    const jens = before.entries.find((e) => e.author.name === 'Jens Best')!;
    const commentId = demo.addComment('planetsab', debateSlugs.planetsab, {
      author: 'Sachar',
      content: 'Danke, Jens – genau darum geht es mir.',
      date: '2008-11-18T09:00:00Z',
      parentId: 1187,
    });
    await t.poller.pollOnce({ force: true });
    const after = await debate();
    const reply = after.entries.find((e) => e.url?.endsWith(`#comment-${commentId}`));
    expect(reply).toMatchObject({ kind: 'comment', inReplyTo: jens.id });

    const page = await t.app.inject(`/c/${after.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Danke, Jens – genau darum geht es mir.');
    expect(page.body).toContain(`href="#e-${jens.id}"`);
  });
});

describe('threading a Blogger blog', () => {
  it('threads Blogger comments under their post and a reply under its parent comment', async () => {
    const { startBloggerBlog } = await import('../support/fixture-blogs/blogger.ts');
    const { createDebate } = await import('../../src/demo/debate.ts');
    const posts = createDebate()[1]!.posts;
    const blogger = await startBloggerBlog({ posts });
    try {
      await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, blogger.homeUrl);
      await t.poller.pollOnce({ force: true });
      const list = (await t.app.inject('/api/conversations')).json().conversations as { id: number; title: string }[];
      const c = (await t.app.inject(`/api/conversations/${list.find((x) => x.title === 'Social Media Camp – ein kleiner Exkurs')!.id}`)).json();
      const post = c.entries.find((e: ApiEntry) => e.kind === 'post') as ApiEntry;
      const comments = c.entries.filter((e: ApiEntry) => e.kind === 'comment') as ApiEntry[];
      const jens = comments.find((e) => e.author.name === 'Jens Best')!;
      const katrin = comments.find((e) => e.author.name === 'Katrin R.' && e.inReplyTo === jens.id);
      expect(jens).toMatchObject({ kind: 'comment', inReplyTo: post.id });
      expect(katrin, 'the reply names its parent through rel="related"').toBeDefined();
    } finally {
      await blogger.close();
    }
  });
});

describe('comments beyond the feed window', () => {
  it('says how many comments may be missing when a post has more than its feed shows', async () => {
    await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, demo.blogs.find((b) => b.key === 'sachar')!.homeUrl);
    // Only the feeds to go by: the REST API switched off, the post page failing.
    demo.setRestApi('sachar', 403);
    demo.blogs.find((b) => b.key === 'sachar')!.server.set(new URL(demo.permalink('sachar', debateSlugs.sachar)).pathname, { status: 503 });
    // WordPress's comment feeds carry the newest ten; twelve more make the two oldest fall out.
    for (let n = 0; n < 12; n++) {
      demo.addComment('sachar', debateSlugs.sachar, { author: `Leserin ${n}`, content: `Kommentar Nummer ${n}`, date: `2008-11-20T10:${String(10 + n).padStart(2, '0')}:00Z` });
    }
    await t.poller.pollOnce({ force: true });
    const list = (await t.app.inject('/api/conversations')).json().conversations as { id: number; title: string; missingCount: number }[];
    const c = list.find((x) => x.title === 'Idee: ein Social Media Camp')!;
    // The post reports 14 comments (2 old + 12 new, the pingback included); the feeds show the newest ten.
    expect(c.missingCount).toBe(4);
    const page = await t.app.inject(`/c/${c.id}`);
    expect(page.body).toContain('4 comments may be missing');
  });
});
