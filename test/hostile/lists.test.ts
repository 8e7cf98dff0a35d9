// Lists grown by an attacker (or by success): thousands of blogs and conversations. /blogs, /,
// /api/blogs and /api/conversations answer in pages (the API by cursor, with `next`), every
// item reachable exactly once, and ten parallel list requests do not stall /health. A group at
// its size limit pages its members on /g/:slug and in the API, and refuses one blog more.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxGroupMembers } from '../../src/domain/groups.ts';
import { addGroupMembers, createGroup } from '../../src/registry/groups.ts';
import { whileServing } from './expect.ts';
import { startFaultServer, type FaultServer } from './fault-server.ts';
import { createWorld, type World } from './world.ts';

let faults: FaultServer;
let world: World;
const blogCount = 3329;
const conversationCount = 600;

beforeAll(async () => {
  faults = await startFaultServer({ maxBodyBytes: 5 * 1024 * 1024 });
  world = await createWorld(faults);
  const db = world.database.db;
  const now = '2026-01-01T00:00:00.000Z';
  await sql`insert into blogs (home_url, url_key, title, created_at, updated_at)
    with recursive b(i) as (select 1 union all select i + 1 from b where i < ${blogCount})
    select 'http://list' || i || '.example/', 'list' || i || '.example', 'A blog with a rather long name, number ' || i, ${now}, ${now} from b`.execute(db);
  await sql`insert into sources (blog_id, kind, url, host, next_check_at, created_at, updated_at)
    select id, 'feed', home_url || 'feed/', substr(url_key, 1, instr(url_key || '/', '/') - 1), '2099-01-01T00:00:00.000Z', ${now}, ${now} from blogs`.execute(db);
  await sql`insert into conversations (title, entry_count, post_count, blog_count, author_count, rank, first_activity_at, last_activity_at, created_at, updated_at)
    with recursive c(i) as (select 1 union all select i + 1 from c where i < ${conversationCount})
    select 'Debate ' || i, 1, 1, 1, 1, (i % 37) * 1.5, ${now}, ${now}, ${now}, ${now} from c`.execute(db);
});
afterAll(async () => {
  await world.close();
  await faults.close();
});

describe('lists', () => {
  it(`/blogs with ${blogCount} blogs answers in pages, and the next links reach every blog once`, async () => {
    const seen = new Map<number, number>();
    let url: string | null = '/blogs';
    let pages = 0;
    while (url) {
      const res: { statusCode: number; body: string } = await world.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.body.length).toBeLessThan(300_000);
      // Each row of the registry table links its blog once.
      for (const m of res.body.matchAll(/<th scope="row"[^>]*><a href="\/blogs\/(\d+)">/g)) seen.set(Number(m[1]), (seen.get(Number(m[1])) ?? 0) + 1);
      url = /<a href="(\/blogs\?after=\d+)" rel="next">/.exec(res.body)?.[1] ?? null;
      pages += 1;
      expect(pages).toBeLessThan(100);
    }
    expect(seen.size).toBe(blogCount);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it('/api/blogs pages by cursor: `next` until the end, each blog once', async () => {
    const seen = new Set<number>();
    let url: string | null = '/api/blogs';
    let pages = 0;
    while (url) {
      const res: { statusCode: number; json: <T>() => T; headers: Record<string, unknown>; body: string } = await world.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.body.length).toBeLessThan(200_000);
      const body = res.json<{ blogs: { id: number }[]; next: string | null }>();
      expect(body.blogs.length).toBeLessThanOrEqual(100);
      for (const b of body.blogs) {
        expect(seen.has(b.id)).toBe(false);
        seen.add(b.id);
      }
      if (body.next) expect(String(res.headers.link)).toContain('rel="next"');
      url = body.next;
      pages += 1;
      expect(pages).toBeLessThan(100);
    }
    expect(seen.size).toBe(blogCount);
    const bad = await world.app.inject({ method: 'GET', url: '/api/blogs?cursor=not-a-cursor' });
    expect(bad.statusCode).toBe(400);
  });

  it('/api/conversations pages by cursor in rank order, each conversation once', async () => {
    const ranks: number[] = [];
    const seen = new Set<number>();
    let url: string | null = '/api/conversations?limit=50';
    while (url) {
      const body: { conversations: { id: number; rank?: number }[]; next: string | null } = (await world.app.inject({ method: 'GET', url })).json();
      for (const c of body.conversations) {
        expect(seen.has(c.id)).toBe(false);
        seen.add(c.id);
      }
      url = body.next;
    }
    expect(seen.size).toBe(conversationCount);
    const rows = await world.database.db.selectFrom('conversations').select(['id', 'rank']).execute();
    const rankOf = new Map(rows.map((r) => [r.id, r.rank]));
    for (const id of seen) ranks.push(rankOf.get(id)!);
    expect(ranks.every((r, i) => i === 0 || r <= ranks[i - 1]!)).toBe(true);
  });

  it('/ answers in pages of conversations', async () => {
    const first = await world.app.inject({ method: 'GET', url: '/' });
    expect(first.statusCode).toBe(200);
    expect(first.body.match(/<article class="conversation-summary">/g)?.length).toBe(30);
    expect(first.body).toMatch(/<a href="\/\?page=2" rel="next">/);
  });

  it(`a group of ${maxGroupMembers} blogs pages its members on /g/:slug and in the API, each once, and refuses one more`, async () => {
    const deps = { db: world.database.db, fetch: world.fetcher.fetch };
    const ids = (await world.database.db.selectFrom('blogs').select('id').orderBy('id').limit(maxGroupMembers + 1).execute()).map((r) => String(r.id));
    const fields = { slug: 'crowd', title: 'Crowd', description: null, lang: null, event: null };
    await expect(createGroup(deps, { fields, blogs: ids })).rejects.toThrow(/a group holds at most 1,000 blogs; this one would hold 1,001/);
    const { memberCount } = await createGroup(deps, { fields, blogs: ids.slice(0, maxGroupMembers) });
    expect(memberCount).toBe(maxGroupMembers);
    await expect(addGroupMembers(deps, 'crowd', [ids.at(-1)!])).rejects.toThrow(/at most 1,000 blogs/);
    const seen = new Map<number, number>();
    let url: string | null = '/g/crowd';
    let pages = 0;
    while (url) {
      const res: { statusCode: number; body: string } = await world.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.body.length).toBeLessThan(300_000);
      for (const m of res.body.matchAll(/<th scope="row"[^>]*><a href="\/blogs\/(\d+)">/g)) seen.set(Number(m[1]), (seen.get(Number(m[1])) ?? 0) + 1);
      const next = [...res.body.matchAll(/<a href="(\/g\/crowd\?members=(\d+))#members">/g)].map((m) => ({ href: m[1]!, n: Number(m[2]) })).find((m) => m.n === pages + 2);
      url = next?.href ?? null;
      pages += 1;
      expect(pages).toBeLessThan(20);
    }
    expect(pages).toBe(10);
    expect(seen.size).toBe(maxGroupMembers);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    const api = new Set<number>();
    let apiUrl: string | null = '/api/groups/crowd?memberLimit=300';
    while (apiUrl) {
      const body: { members: { id: number }[]; membersNext: string | null } = (await world.app.inject({ method: 'GET', url: apiUrl })).json();
      for (const m of body.members) {
        expect(api.has(m.id)).toBe(false);
        api.add(m.id);
      }
      apiUrl = body.membersNext;
    }
    expect(api.size).toBe(maxGroupMembers);
  });

  it('ten parallel /blogs requests leave /health answering', async (ctx) => {
    await whileServing(
      world,
      async () => {
        const all = await Promise.all(Array.from({ length: 10 }, () => world.app.inject({ method: 'GET', url: '/blogs' })));
        for (const res of all) expect(res.statusCode).toBe(200);
      },
      { boundMs: 1000, ctx },
    );
  });
});
