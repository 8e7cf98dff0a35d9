// Listings of pings end to end: a Movable Type blog whose TrackBack listing (?__mode=rss) is
// found on the entry pages, polled, and every listed source verified before it counts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDebate, debateSlugs, type DebatePost } from '../../src/demo/debate.ts';
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.ts';
import { startMovableTypeBlog, type MovableTypeBlog } from '../support/fixture-blogs/movable-type.ts';
import { registerBlog } from '../../src/registry/register-blog.ts';
import { createPoller } from '../../src/poller/poller.ts';
import { listSourcesByBlog } from '../../src/store/sources.ts';
import { pollerSettings } from '../../src/service.ts';
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

  it('remembers a blog that says its listing is off (<error>1</error>, 404) and asks again only after a week', async () => {
    const { blog } = await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, mt.homeUrl);
    await t.poller.pollOnce({ force: true });
    const listing = (await listSourcesByBlog(t.database.db, blog.id)).find((s) => s.kind === 'trackback-listing')!;
    const path = `${new URL(listing.url).pathname}${new URL(listing.url).search}`;
    // Movable Type answers so when the entry takes no pings (any more).
    mt.server.set(path, {
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: '<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>1</error>\n<message>This TrackBack item is disabled.</message>\n</response>\n',
    });
    const results = (await t.poller.pollOnce({ force: true })).results.filter((r) => r.sourceId === listing.id);
    expect(results).toMatchObject([{ outcome: 'unchanged', error: null }]);
    const after = (await listSourcesByBlog(t.database.db, blog.id)).find((s) => s.id === listing.id)!;
    expect(after.lastError).toBe('listing unavailable: the TrackBack listing answered with an error: This TrackBack item is disabled.');
    expect(after.consecutiveFailures).toBe(0);
    expect(Date.parse(after.nextCheckAt) - Date.parse(after.lastCheckedAt!)).toBe(7 * 24 * 3600 * 1000);

    mt.server.set(path, { status: 404, headers: { 'content-type': 'text/html' }, body: '<h1>Not Found</h1>' });
    await t.poller.pollOnce({ force: true });
    const gone = (await listSourcesByBlog(t.database.db, blog.id)).find((s) => s.id === listing.id)!;
    expect(gone.lastError).toBe('listing unavailable: the blog answered HTTP 404 Not Found (the blog does not offer this listing)');
    expect(gone.consecutiveFailures).toBe(0);
    expect(Date.parse(gone.nextCheckAt) - Date.parse(gone.lastCheckedAt!)).toBe(7 * 24 * 3600 * 1000);
  });

  it('reports a listing that cannot be fetched as a failure: backed off like a feed and shown on the blog page', async () => {
    const { blog } = await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, mt.homeUrl);
    await t.poller.pollOnce({ force: true });
    const listing = (await listSourcesByBlog(t.database.db, blog.id)).find((s) => s.kind === 'trackback-listing')!;
    await mt.close();

    const first = (await t.poller.pollOnce({ force: true })).results.find((r) => r.sourceId === listing.id)!;
    expect(first).toMatchObject({ outcome: 'failed', status: null });
    expect(first.error).toMatch(/^the listing could not be fetched: /);
    let after = (await listSourcesByBlog(t.database.db, blog.id)).find((s) => s.id === listing.id)!;
    expect(after.consecutiveFailures).toBe(1);
    const interval = t.config.pollIntervalSeconds * 1000;
    expect(Date.parse(after.nextCheckAt) - Date.parse(after.lastCheckedAt!)).toBe(interval);

    // Doubling like a feed's backoff.
    await t.poller.pollOnce({ force: true });
    after = (await listSourcesByBlog(t.database.db, blog.id)).find((s) => s.id === listing.id)!;
    expect(after.consecutiveFailures).toBe(2);
    expect(Date.parse(after.nextCheckAt) - Date.parse(after.lastCheckedAt!)).toBe(2 * interval);

    const page = (await t.app.inject(`/blogs/${blog.id}`)).body;
    const row = /<tr>\s*<th[^>]*>TrackBack listing[\s\S]*?<\/tr>/.exec(page)?.[0] ?? '';
    expect(row).toContain(`href="${listing.url}"`);
    expect(row).toMatch(/<span class="error">the listing could not be fetched: [^<]+<\/span>/);
    const api = (await t.app.inject(`/api/blogs/${blog.id}`)).json().sources.find((s: { id: number }) => s.id === listing.id);
    expect(api).toMatchObject({ consecutiveFailures: 2, disabled: false });
    mt = await startMovableTypeBlog({ posts: [] });
  });

  it('stops a listing that keeps failing, as it stops a feed', async () => {
    t.poller = createPoller({ db: t.database.db, fetch: t.fetcher.fetch, settings: { ...pollerSettings(t.config), disableAfterFailures: 2 }, log: { info() {}, warn() {}, error() {} } });
    const { blog } = await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, mt.homeUrl);
    await t.poller.pollOnce({ force: true });
    const listing = (await listSourcesByBlog(t.database.db, blog.id)).find((s) => s.kind === 'trackback-listing')!;
    await mt.close();
    await t.poller.pollOnce({ force: true });
    const second = (await t.poller.pollOnce({ force: true })).results.find((r) => r.sourceId === listing.id)!;
    expect(second.outcome).toBe('disabled');
    const after = (await listSourcesByBlog(t.database.db, blog.id)).find((s) => s.id === listing.id)!;
    expect(after.disabledReason).toMatch(/^stopped after 2 failed checks in a row; the last: the listing could not be fetched: /);
    mt = await startMovableTypeBlog({ posts: [] });
  });
});
