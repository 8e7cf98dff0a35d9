// Squatting a blog's identity: a feed on the attacker's site whose <link> claims the victim's
// home. The home counts only when it shares the feed's origin or its page leads to the feed;
// the victim registering later gets a blog of its own, and no blog of the squatter covers the
// victim's pages (pings from there are not trusted as a registered blog's).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import defaults from '../../config/default.json' with { type: 'json' };
import { startAttackWeb, homePage, rssFeed, type AttackWeb } from './attack-web.ts';
import { startFaultServer, type FaultServer } from './fault-server.ts';
import { createWorld, type World } from './world.ts';

let faults: FaultServer;
let attacker: AttackWeb;
let mirror: AttackWeb;
let world: World;

beforeAll(async () => {
  faults = await startFaultServer({ maxBodyBytes: 5 * 1024 * 1024 });
  attacker = await startAttackWeb();
  mirror = await startAttackWeb();
  world = await createWorld(faults, {
    fetcher: { allowedOrigins: [faults.origin, attacker.origin, mirror.origin] },
    pings: { moderation: 'moderate', perClientPerMinute: 10_000, perSourceHostPerMinute: 10_000 },
    settings: { registry: { ...defaults.registry, moderation: 'open', perClientPerHour: 1000, perHostPerHour: 1000 } },
  });
});
afterAll(async () => {
  await world.close();
  await mirror.close();
  await attacker.close();
  await faults.close();
});

describe('squatting', () => {
  it('a feed claiming the victim’s home never gets it; the victim’s later registration creates its own blog', async () => {
    const victimHome = faults.blogUrl('victim');
    faults.setFeed('victim', 'good');
    attacker.route('/squat/feed.xml', {
      type: 'application/rss+xml; charset=utf-8',
      body: rssFeed({ title: 'Victim Blog', link: victimHome }, [{ title: 'Totally the victim', link: `${attacker.origin}/squat/1/`, guid: 'squat-1', date: new Date('2026-01-01'), html: '<p>spam</p>' }]),
    });
    const squat = await world.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${attacker.origin}/squat/feed.xml` } });
    expect(squat.statusCode, squat.body).toBe(201);
    const squatter = squat.json<{ id: number; homeUrl: string; notes: string[] }>();
    expect(squatter.homeUrl).toBe(`${attacker.origin}/`);
    expect(squatter.homeUrl).not.toContain(new URL(victimHome).host);
    expect(squatter.notes.join(' ')).toContain('does not lead to this feed');

    // Pings are trusted by the blog a source lies under: no URL of the victim's site lies under it.
    const blogs = (await world.app.inject({ method: 'GET', url: '/api/blogs' })).json<{ blogs: { homeUrl: string }[] }>().blogs;
    expect(blogs.some((b) => victimHome.startsWith(b.homeUrl))).toBe(false);

    const victim = await world.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: victimHome } });
    expect(victim.statusCode, victim.body).toBe(201);
    const own = victim.json<{ id: number; homeUrl: string }>();
    expect(own.id).not.toBe(squatter.id);
    expect(own.homeUrl).toBe(victimHome);
  });

  it('a feed on another site counts its home when that home page leads to it (a feed served elsewhere)', async () => {
    const feedUrl = `${mirror.origin}/feeds/real`;
    mirror.route('/feeds/real', {
      type: 'application/rss+xml; charset=utf-8',
      body: rssFeed({ title: 'Real Blog', link: `${attacker.origin}/real/` }, [{ title: 'Real post', link: `${attacker.origin}/real/1/`, guid: 'real-1', date: new Date('2026-01-02'), html: '<p>real</p>' }]),
    });
    attacker.route('/real/', { type: 'text/html; charset=utf-8', body: homePage('Real Blog', feedUrl) });
    const res = await world.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: feedUrl } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json<{ homeUrl: string }>().homeUrl).toBe(`${attacker.origin}/real/`);
  });
});
