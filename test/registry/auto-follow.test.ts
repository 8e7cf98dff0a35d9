// Automatic following (registry.autoFollow) on the demo debate: a blog nobody registered that
// pinged it is followed without a click, at most autoFollowPerDay a day, never a blocked host;
// the follow shows on /blogs with its reason and the operator can undo it for good.
import { afterEach, describe, expect, it } from 'vitest';
import type { FixtureServer } from '../../src/demo/fixture-server.ts';
import { followQualifyingSites } from '../../src/registry/auto-follow.ts';
import { claimAutoFollowCandidates } from '../../src/store/auto-follows.ts';
import { autoFollowSettings } from '../../src/service.ts';
import { setHostVerdict } from '../../src/store/pings.ts';
import type { DemoDebate } from '../support/demo-debate.ts';
import { adminToken, entriesOf, pingingBlog, siteOf, startOpenDemoDebate } from '../support/pinging-blog.ts';

let d: DemoDebate | undefined;
const sites: FixtureServer[] = [];

afterEach(async () => {
  await d?.close();
  d = undefined;
  for (const s of sites.splice(0)) await s.close();
});

async function open(registry: Record<string, unknown> = {}): Promise<DemoDebate> {
  d = await startOpenDemoDebate(registry);
  return d;
}

async function ping(dd: DemoDebate, slug: string) {
  const blog = await pingingBlog(dd, slug);
  sites.push(blog.site);
  return blog;
}

describe('registry.autoFollow', () => {
  it('is off by default: nothing is followed without a click', async () => {
    const dd = await open();
    await ping(dd, 'auch-ein-camp');
    expect(dd.t.config.registry.autoFollow).toBe(false);
    expect(await followQualifyingSites({ db: dd.t.database.db, fetch: dd.t.fetcher.fetch }, autoFollowSettings(dd.t.config))).toEqual({ followed: [], failed: [] });
  });

  it('follows a pinging blog by itself, at most autoFollowPerDay a day, never a blocked host, and can be undone', async () => {
    const dd = await open({ autoFollow: true, autoFollowPerDay: 1 });
    const first = await ping(dd, 'erste-antwort');
    const second = await ping(dd, 'zweite-antwort');
    const blocked = await ping(dd, 'gesperrt');
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

  it('passes side by side (pollers of several processes) spend the day once and try each site once', async () => {
    const dd = await open({ autoFollow: true, autoFollowPerDay: 2 });
    const blogs = [await ping(dd, 'eins'), await ping(dd, 'zwei'), await ping(dd, 'drei')];
    const deps = { db: dd.t.database.db, fetch: dd.t.fetcher.fetch };
    const settings = autoFollowSettings(dd.t.config);

    const passes = await Promise.all([1, 2, 3, 4].map(() => followQualifyingSites(deps, settings)));
    const followed = passes.flatMap((p) => p.followed.map((f) => f.site));
    expect(passes.flatMap((p) => p.failed)).toEqual([]);
    expect(followed).toHaveLength(2);
    expect(new Set(followed).size).toBe(2);
    // Each followed site was asked for its pages by one registration only.
    for (const b of blogs.filter((x) => followed.includes(siteOf(x.site)))) expect(b.site.hits.filter((h) => h.path === '/').length).toBeLessThanOrEqual(1);
    const rows = await dd.t.database.db.selectFrom('auto_follows').select(['site', 'status']).orderBy('site').execute();
    expect(rows).toEqual(followed.sort().map((site) => ({ site, status: 'followed' })));
  });

  it('a site claimed by a pass that died is tried again once its lease ends', async () => {
    const dd = await open({ autoFollow: true, autoFollowPerDay: 5 });
    const blog = await ping(dd, 'verwaist');
    const db = dd.t.database.db;
    const now = new Date();
    const claimed = await claimAutoFollowCandidates(db, { minLinks: 2, perDay: 5, since: new Date(now.getTime() - 86_400_000).toISOString(), now: now.toISOString(), leaseUntil: new Date(now.getTime() + 3_600_000).toISOString() });
    expect(claimed.map((c) => c.site)).toEqual([siteOf(blog.site)]);
    const deps = { db, fetch: dd.t.fetcher.fetch };
    const settings = autoFollowSettings(dd.t.config);
    expect(await followQualifyingSites(deps, settings)).toEqual({ followed: [], failed: [] });
    const later = await followQualifyingSites({ ...deps, now: () => new Date(now.getTime() + 2 * 3_600_000) }, settings);
    expect(later.followed.map((f) => f.site)).toEqual([siteOf(blog.site)]);
  });
});
