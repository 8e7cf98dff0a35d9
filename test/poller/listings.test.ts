// Listings of pings end to end: a Movable Type blog whose TrackBack listing (?__mode=rss) is
// found on the entry pages, polled, and every listed source verified before it counts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDebate, debateSlugs, type DebatePost } from '../../src/demo/debate.ts';
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.ts';
import { startMovableTypeBlog, type MovableTypeBlog } from '../../src/demo/movable-type.ts';
import { registerBlog } from '../../src/registry/register-blog.ts';
import { listSourcesByBlog } from '../../src/store/sources.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { expectCountsMatchRecount } from '../support/db.ts';

const html = { 'content-type': 'text/html; charset=utf-8' };

let t: TestApp;
let mt: MovableTypeBlog;
let other: FixtureServer;
let post: DebatePost;

async function trackback(from: string, title: string) {
  const res = await fetch(mt.trackbackUrl(post), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams({ url: from, title, blog_name: 'Anderswo', excerpt: 'Zum Exkurs' }).toString(),
  });
  expect(await res.text()).toContain('<error>0</error>');
}

beforeEach(async () => {
  t = await createTestApp({ pings: { moderation: 'moderate', queueCapacity: 100, verifyConcurrency: 2, pingbackDeadlineMs: 1000, perClientPerMinute: 100, perSourceHostPerMinute: 100, maxAttempts: 2 } });
  const posts = createDebate()[1]!.posts;
  post = posts.find((p) => p.slug === debateSlugs.planetsab)!;
  mt = await startMovableTypeBlog({ posts });
  other = await startFixtureServer();
});

afterEach(async () => {
  await expectCountsMatchRecount(t.database);
  await t.close();
  await mt.close();
  await other.close();
});

describe('polling TrackBack listings', () => {
  it('finds the listing on the entry page, and threads only the listed sources that really link', async () => {
    other.set('/antwort/', { headers: html, body: `<html><head><title>Antwort aus Anderswo</title></head><body><p>Zum <a href="${mt.entryUrl(post)}">Exkurs</a>.</p></body></html>` });
    other.set('/spam/', { headers: html, body: '<p>Günstige Uhren</p>' });
    await trackback(`${other.origin}/antwort/`, 'Antwort aus Anderswo');
    await trackback(`${other.origin}/spam/`, 'Günstige Uhren');

    const { blog } = await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, mt.homeUrl);
    await t.poller.pollOnce({ force: true });
    const sources = await listSourcesByBlog(t.database.db, blog.id);
    expect(sources.filter((s) => s.kind === 'trackback-listing').map((s) => s.url)).toContain(`${mt.trackbackUrl(post)}?__mode=rss`);
    expect(sources.some((s) => s.kind === 'pingback-listing')).toBe(false);

    const verified = await t.pingVerifier.runOnce();
    // Listed pings are not moderated (the blog owner approved or will), but each is verified.
    expect(verified).toMatchObject({ accepted: 1, rejected: 1 });
    const list = (await t.app.inject('/api/conversations')).json().conversations as { id: number; title: string }[];
    const c = (await t.app.inject(`/api/conversations/${list.find((x) => x.title === post.title)!.id}`)).json();
    const tb = c.entries.filter((e: { kind: string }) => e.kind === 'trackback');
    expect(tb).toHaveLength(1);
    expect(tb[0]).toMatchObject({ url: `${other.origin}/antwort/`, title: 'Antwort aus Anderswo', via: ['listing'] });
    expect(c.entries.some((e: { url: string }) => e.url?.includes('/spam/'))).toBe(false);
  });

  it('polls a listing again without checking the same sources twice', async () => {
    other.set('/antwort/', { headers: html, body: `<p><a href="${mt.entryUrl(post)}">Exkurs</a></p>` });
    await trackback(`${other.origin}/antwort/`, 'Antwort');
    await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, mt.homeUrl);
    await t.poller.pollOnce({ force: true });
    expect((await t.pingVerifier.runOnce()).accepted).toBe(1);
    await t.poller.pollOnce({ force: true });
    expect(await t.pingVerifier.runOnce()).toMatchObject({ accepted: 0, rejected: 0 });
  });

  it('remembers a blog with listings switched off and asks again only after a week', async () => {
    const { blog } = await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, mt.homeUrl);
    await t.poller.pollOnce({ force: true });
    const listing = (await listSourcesByBlog(t.database.db, blog.id)).find((s) => s.kind === 'trackback-listing')!;
    await mt.close();
    await t.poller.pollOnce({ force: true });
    const after = (await listSourcesByBlog(t.database.db, blog.id)).find((s) => s.id === listing.id)!;
    expect(after.lastError).toMatch(/^listing unavailable: /);
    expect(after.consecutiveFailures).toBe(0);
    expect(Date.parse(after.nextCheckAt) - Date.parse(after.lastCheckedAt!)).toBe(7 * 24 * 3600 * 1000);
    mt = await startMovableTypeBlog({ posts: [] });
  });
});
