// Blogs that joined the demo debate without being followed: a fixture blog nobody registered
// pings planetsab's post, shows under "Also in this debate" and among the suggested blogs, and
// one click registers it so its post joins the conversation; with registry.autoFollow the same
// happens without a click, within the day's limit, never for a blocked host, and can be undone.
import { afterEach, describe, expect, it } from 'vitest';
import defaults from '../../config/default.json' with { type: 'json' };
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.ts';
import { followQualifyingSites } from '../../src/registry/auto-follow.ts';
import { autoFollowSettings } from '../../src/service.ts';
import { setHostVerdict } from '../../src/store/pings.ts';
import { serializeMethodCall } from '../../src/xmlrpc/codec.ts';
import { homePage, rssFeed } from '../support/blog-pages.ts';
import { startDemoDebate, type DemoDebate } from '../support/demo-debate.ts';

const html = { 'content-type': 'text/html; charset=utf-8' };
const rss = { 'content-type': 'application/rss+xml; charset=utf-8' };

let d: DemoDebate | undefined;
const sites: FixtureServer[] = [];

afterEach(async () => {
  await d?.close();
  d = undefined;
  for (const s of sites.splice(0)) await s.close();
});

const adminToken = 'admin-token-for-the-tests-0123456789';

async function debate(registry: Record<string, unknown> = {}): Promise<DemoDebate> {
  d = await startDemoDebate({ adminToken, pings: { ...defaults.pings, moderation: 'open' }, registry: { ...defaults.registry, moderation: 'open', ...registry } });
  return d;
}

interface ApiEntry {
  id: number;
  kind: string;
  url: string | null;
  author: { name: string | null };
  blog: { id: number } | null;
}

async function entriesOf(dd: DemoDebate): Promise<ApiEntry[]> {
  return (await dd.t.app.inject(`/api/conversations/${dd.conversationId}`)).json().entries;
}

/** A small blog nobody registered, whose post answers planetsab's; it sends a pingback for it. */
async function pingingBlog(dd: DemoDebate, slug: string): Promise<{ site: FixtureServer; postUrl: string }> {
  const site = await startFixtureServer();
  sites.push(site);
  const target = (await entriesOf(dd)).find((e) => e.kind === 'post' && e.author.name === 'planetsab')!.url!;
  const postUrl = `${site.origin}/2008/11/${slug}/`;
  const body = `<p>Wir waren auch dabei: <a href="${target}">planetsab über das Camp</a>.</p>`;
  site.set('/', { headers: html, body: homePage(site.origin) });
  site.set(`/2008/11/${slug}/`, { headers: html, body: `<!DOCTYPE html><html><head><title>Auch ein Camp</title><link rel="alternate" type="application/rss+xml" href="${site.origin}/feed/"></head><body><article>${body}</article></body></html>` });
  site.set('/feed/', { headers: rss, body: rssFeed(site.origin, [{ id: 7, title: 'Auch ein Camp', slug, body, date: 'Tue, 18 Nov 2008 09:00:00 +0000' }]) });
  site.set('/comments/feed/', { status: 404, body: '' });
  const res = await dd.t.app.inject({ method: 'POST', url: '/xmlrpc', headers: { 'content-type': 'text/xml' }, payload: serializeMethodCall('pingback.ping', [postUrl, target]) });
  expect(res.body).toContain('registered');
  return { site, postUrl };
}

const siteOf = (s: FixtureServer) => new URL(s.origin).host;

describe('Also in this debate', () => {
  it('lists an unregistered blog that pinged the debate; its follow button registers it and its post joins', async () => {
    const dd = await debate();
    const { site, postUrl } = await pingingBlog(dd, 'auch-ein-camp');
    const page = (await dd.t.app.inject(`/c/${dd.conversationId}`)).body;
    const section = /<section class="also-in-debate"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(section).toContain(`data-site="${siteOf(site)}"`);
    expect(section).toContain('pinged 1 time');
    expect(section).toContain(`<a href="${postUrl}" rel="nofollow ugc noopener">Auch ein Camp</a>`);
    expect(section).toContain(`<form class="follow" method="post" action="/blogs"><input type="hidden" name="url" value="${postUrl}">`);
    // Nothing about the site was fetched beyond the ping's verification (the post page, once).
    expect(site.hits.map((h) => h.path)).toEqual(['/2008/11/auch-ein-camp/']);

    const suggested = (await dd.t.app.inject('/blogs')).body;
    expect(/<section id="suggested"[\s\S]*?<\/section>/.exec(suggested)?.[0]).toContain(`data-site="${siteOf(site)}"`);

    // The one-click follow is the ordinary registration form.
    const follow = await dd.t.app.inject({ method: 'POST', url: '/blogs', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `url=${encodeURIComponent(postUrl)}` });
    expect(follow.statusCode).toBe(303);
    expect(follow.headers.location).toMatch(/^\/blogs\/\d+\?registered=1$/);
    const blogId = Number(/\/blogs\/(\d+)/.exec(String(follow.headers.location))![1]);
    await dd.t.poller.pollOnce({ force: true });
    const post = (await entriesOf(dd)).find((e) => e.url === postUrl);
    expect(post).toMatchObject({ kind: 'post', blog: { id: blogId } });
    const after = (await dd.t.app.inject(`/c/${dd.conversationId}`)).body;
    expect(after).not.toContain(`data-site="${siteOf(site)}"`);
  });

  it('shows the registration error when the site has no feed', async () => {
    const dd = await debate();
    const { site, postUrl } = await pingingBlog(dd, 'ohne-feed');
    site.set('/feed/', { status: 404, body: '' });
    site.set(`/2008/11/ohne-feed/`, { headers: html, body: '<html><head><title>Kein Feed</title></head><body>nichts</body></html>' });
    site.set('/', { headers: html, body: '<html><head><title>Kein Feed</title></head><body>nichts</body></html>' });
    const follow = await dd.t.app.inject({ method: 'POST', url: '/blogs', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `url=${encodeURIComponent(postUrl)}` });
    expect(follow.statusCode).toBe(422);
    expect(follow.body).toContain('role="alert"');
  });
});

describe('registry.autoFollow', () => {
  it('is off by default: nothing is followed without a click', async () => {
    const dd = await debate();
    await pingingBlog(dd, 'auch-ein-camp');
    expect(dd.t.config.registry.autoFollow).toBe(false);
    expect(await followQualifyingSites({ db: dd.t.database.db, fetch: dd.t.fetcher.fetch }, autoFollowSettings(dd.t.config))).toEqual({ followed: [], failed: [] });
  });

  it('follows a pinging blog by itself, at most autoFollowPerDay a day, never a blocked host, and can be undone', async () => {
    const dd = await debate({ autoFollow: true, autoFollowPerDay: 1 });
    const first = await pingingBlog(dd, 'erste-antwort');
    const second = await pingingBlog(dd, 'zweite-antwort');
    const blocked = await pingingBlog(dd, 'gesperrt');
    await setHostVerdict(dd.t.database.db, siteOf(blocked.site), 'blocked', 'spam', new Date().toISOString());
    const deps = { db: dd.t.database.db, fetch: dd.t.fetcher.fetch };
    const settings = autoFollowSettings(dd.t.config);

    const day1 = await followQualifyingSites(deps, settings);
    expect(day1.followed).toHaveLength(1);
    expect(await followQualifyingSites(deps, settings)).toEqual({ followed: [], failed: [] });
    const tomorrow = () => new Date(Date.now() + 25 * 3600_000);
    const day2 = await followQualifyingSites({ ...deps, now: tomorrow }, settings);
    expect(day2.followed).toHaveLength(1);
    expect(new Set([...day1.followed, ...day2.followed].map((f) => f.site))).toEqual(new Set([siteOf(first.site), siteOf(second.site)]));
    const later = () => new Date(Date.now() + 50 * 3600_000);
    expect(await followQualifyingSites({ ...deps, now: later }, settings)).toEqual({ followed: [], failed: [] });
    // The blocked site was never asked for anything beyond verifying its ping.
    expect(blocked.site.hits.map((h) => h.path)).toEqual(['/2008/11/gesperrt/']);

    await dd.t.poller.pollOnce({ force: true });
    const entries = await entriesOf(dd);
    expect(entries.find((e) => e.url === first.postUrl)?.kind).toBe('post');

    const blogs = (await dd.t.app.inject('/blogs')).body;
    const auto = /<section id="auto-follows"[\s\S]*?<\/section>/.exec(blogs)?.[0] ?? '';
    expect(auto).toContain(`data-site="${siteOf(first.site)}"`);
    expect(auto).toContain('sent a verified ping');

    // Undone by the operator: the blog stops and is hidden, the site is never followed by itself again.
    const id = Number(/action="\/admin\/auto-follows\/(\d+)\/undo"/.exec(auto)?.[1] ?? 'NaN');
    expect(Number.isNaN(id)).toBe(true); // no session, no button
    const followedBlog = day1.followed[0]!;
    const api = (path: string, token = adminToken) => dd.t.app.inject({ method: 'POST', url: path, headers: { authorization: `Bearer ${token}` } });
    expect((await api('/api/auto-follows/1/undo', 'wrong-token-wrong-token')).statusCode).toBe(401);
    const undo = await api('/api/auto-follows/1/undo');
    expect(undo.statusCode).toBe(200);
    expect((await api('/api/auto-follows/1/undo')).statusCode).toBe(404);
    const blog = (await dd.t.app.inject(`/api/blogs/${followedBlog.blogId}`)).json();
    expect(blog.status).toBe('disabled');
    const undone = /<section id="auto-follows"[\s\S]*?<\/section>/.exec((await dd.t.app.inject('/blogs')).body)?.[0] ?? '';
    expect(undone).toMatch(new RegExp(`data-site="${followedBlog.site}"[\\s\\S]*?undone`));
    expect(await followQualifyingSites({ ...deps, now: () => new Date(Date.now() + 100 * 3600_000) }, settings)).toEqual({ followed: [], failed: [] });
  });
});
