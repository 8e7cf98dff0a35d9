// Conversation graphs an attacker (or two blogs editing replies into each other) can make: a
// circle of links with no root, a self-link, long chains. Every view shows each entry exactly
// once, breaks circles at their earliest entry and says so, and costs memory linear in the
// entries; the service keeps answering.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import defaults from '../../config/default.json' with { type: 'json' };
import type { Db } from '../../src/db/open.ts';
import { refreshConversation } from '../../src/store/conversation-union.ts';
import { startAttackWeb, homePage, rssFeed, type AttackWeb } from './attack-web.ts';
import { expectMemoryBound } from './expect.ts';
import { startFaultServer, type FaultServer } from './fault-server.ts';
import { createWorld, measurePeakRss, type World } from './world.ts';

let faults: FaultServer;
let web: AttackWeb;
let world: World;

beforeAll(async () => {
  faults = await startFaultServer({ maxBodyBytes: 5 * 1024 * 1024 });
  web = await startAttackWeb();
  // The 1,000-entry circle arrives in one poll.
  world = await createWorld(faults, { fetcher: { allowedOrigins: [faults.origin, web.origin] }, settings: { poller: { ...defaults.poller, maxItemsPerPoll: 1000 } } });
});
afterAll(async () => {
  await world.close();
  await web.close();
  await faults.close();
});

/** Counts how often each entry's article appears on a page. */
function articleCounts(body: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const m of body.matchAll(/<article class="entry[^"]*" id="e-(\d+)"/g)) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
  return counts;
}

/** Follows a conversation's pages from `first` on; returns how often each entry appeared and the page count. */
async function walkPages(first: string): Promise<{ seen: Map<number, number>; pages: number; firstBody: string }> {
  const seen = new Map<number, number>();
  let firstBody = '';
  let pages = 0;
  let url: string | null = first;
  while (url) {
    const res: { statusCode: number; body: string } = await world.app.inject({ method: 'GET', url });
    expect(res.statusCode, url).toBe(200);
    // A page stays within its budget however large the debate is.
    expect(res.body.length).toBeLessThan(2_000_000);
    for (const [entry, n] of articleCounts(res.body)) seen.set(entry, (seen.get(entry) ?? 0) + n);
    if (pages === 0) firstBody = res.body;
    pages += 1;
    url = /<a href="([^"]+)" rel="next">/.exec(res.body)?.[1]?.replace(/&amp;/g, '&') ?? null;
    expect(pages).toBeLessThan(100);
  }
  return { seen, pages, firstBody };
}

/** Stores a conversation of `n` posts where post i links post i + 1 and the last links the first. */
async function seedCircle(db: Db, n: number): Promise<number> {
  const now = '2026-01-01T00:00:00.000Z';
  const blog = await db
    .insertInto('blogs')
    .values({ home_url: `http://circle${n}.example/`, url_key: `circle${n}.example`, title: 'Circle', created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const conversation = await db.insertInto('conversations').values({ created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const first = Number((await sql<{ n: number }>`select coalesce(max(id), 0) + 1 as n from entries`.execute(db)).rows[0]!.n);
  await sql`insert into entries (id, blog_id, kind, identity, guid, url, url_key, title, author_name, content_html, excerpt,
      published_at, sort_at, content_hash, first_seen_at, changed_at, conversation_id)
    with recursive e(i) as (select 0 union all select i + 1 from e where i < ${n - 1})
    select ${first} + i, ${blog.id}, 'post', 'circle:' || i, 'circle-' || i, 'http://circle.example/p/' || i || '/', 'circle.example/p/' || i,
      'Circle post ' || i, 'Author ' || (i % 7),
      '<p>Answering <a href="http://circle.example/p/' || ((i + 1) % ${n}) || '/">the next post</a>, which answers me in turn.</p>',
      'Answering the next post', strftime('%Y-%m-%dT%H:%M:%fZ', '2025-06-01', '+' || (i * 60) || ' seconds'),
      strftime('%Y-%m-%dT%H:%M:%fZ', '2025-06-01', '+' || (i * 60) || ' seconds'), 'h' || i, ${now}, ${now}, ${conversation.id} from e`.execute(db);
  await sql`insert into edges (from_entry_id, type, target, to_entry_id, created_at)
    select id, 'links-to', 'url:circle.example/p/' || ((id - ${first} + 1) % ${n}), ${first} + ((id - ${first} + 1) % ${n}), ${now}
    from entries where conversation_id = ${conversation.id}`.execute(db);
  await sql`insert into entry_channels (entry_id, via, first_seen_at) select id, 'feed', ${now} from entries where conversation_id = ${conversation.id}`.execute(db);
  await refreshConversation(db, conversation.id, now);
  return conversation.id;
}

describe('graph', () => {
  it('a 1,000-entry link circle that arrived by feed shows each entry once in the timeline and the thread, and says where it was broken', async () => {
    const n = 1000;
    const base = `${web.origin}/circle`;
    const start = Date.UTC(2025, 0, 1);
    const post = (i: number) => `${base}/post-${i}/`;
    web.route('/circle/', { type: 'text/html; charset=utf-8', body: homePage('Circle blog', `${base}/feed`) });
    web.route(
      '/circle/feed',
      {
        type: 'application/rss+xml; charset=utf-8',
        body: rssFeed(
          { title: 'Circle blog', link: `${base}/` },
          Array.from({ length: n }, (_, k) => n - k).map((i) => ({
            title: `Post ${i}`,
            link: post(i),
            guid: `circle-${i}`,
            date: new Date(start + i * 60_000),
            // Each post answers the next one; the last answers the first: no root anywhere.
            html: `<p>Replying to <a href="${post(i === n ? 1 : i + 1)}">post ${i === n ? 1 : i + 1}</a>.</p>`,
          })),
        ),
      },
    );
    for (let i = 1; i <= n; i++) web.route(`/circle/post-${i}/`, { type: 'text/html; charset=utf-8', body: `<!DOCTYPE html><title>Post ${i}</title><p>Post ${i}</p>` });

    const reg = await world.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${base}/` } });
    expect(reg.statusCode, reg.body).toBe(201);
    const summary = await world.pollAll();
    expect(summary.crashed).toBe(0);
    const list = await world.app.inject({ method: 'GET', url: '/api/conversations?limit=5' });
    const top = list.json<{ conversations: { id: number; entryCount: number }[] }>().conversations[0]!;
    expect(top.entryCount).toBe(n);

    for (const view of ['timeline', 'thread'] as const) {
      const started = performance.now();
      const { seen, firstBody } = await walkPages(`/c/${top.id}${view === 'thread' ? '?view=thread' : ''}`);
      const ms = performance.now() - started;
      expect(seen.size, view).toBe(n);
      expect([...seen.values()].every((c) => c === 1), `${view}: every entry exactly once`).toBe(true);
      // The bound, for all pages together; the figure itself is in the benchmarks.
      expect(ms, `${view} rendered in ${ms.toFixed(0)} ms`).toBeLessThan(2000);
      expect(firstBody).toContain('answer each other in a circle');
    }
    // The circle starts at its earliest post: it heads the thread.
    const thread = (await world.app.inject({ method: 'GET', url: `/c/${top.id}?view=thread` })).body;
    const firstArticle = /<article class="entry[^"]*" id="e-(\d+)"/.exec(thread)![1];
    const api = await world.app.inject({ method: 'GET', url: `/api/conversations/${top.id}` });
    const earliest = api.json<{ entries: { id: number; url: string }[] }>().entries.find((e) => e.url === post(1))!;
    expect(Number(firstArticle)).toBe(earliest.id);
    await world.expectHealthy();
  });

  it('a 10,000-entry circle is cut into pages that show each entry once, without raising RSS by more than 200 MB', async (ctx) => {
    const id = await seedCircle(world.database.db, 10_000);
    const { value: views, peakDeltaMb } = await measurePeakRss(async () => [await walkPages(`/c/${id}?view=thread`), await walkPages(`/c/${id}`)]);
    for (const { seen, pages } of views) {
      expect(pages).toBeGreaterThan(1);
      expect(seen.size).toBe(10_000);
      expect([...seen.values()].every((c) => c === 1)).toBe(true);
    }
    expectMemoryBound(ctx, peakDeltaMb, 200);
    // The API pages the same conversation by cursor.
    const ids = new Set<number>();
    let url: string | null = `/api/conversations/${id}`;
    while (url) {
      const body: { entries: { id: number }[]; next: string | null } = (await world.app.inject({ method: 'GET', url })).json();
      expect(body.entries.length).toBeLessThanOrEqual(world.config.pages.conversationPageEntries);
      for (const e of body.entries) {
        expect(ids.has(e.id)).toBe(false);
        ids.add(e.id);
      }
      url = body.next;
    }
    expect(ids.size).toBe(10_000);
    await world.expectHealthy();
  });

  it('a self-link and a two-entry circle keep their entries, each once', async () => {
    const id = await seedCircle(world.database.db, 2);
    const db = world.database.db;
    const entries = await db.selectFrom('entries').select('id').where('conversation_id', '=', id).orderBy('id').execute();
    await db.insertInto('edges').values({ from_entry_id: entries[0]!.id, type: 'reply-to', target: 'entry:self', to_entry_id: entries[0]!.id, created_at: '2026-01-01T00:00:00.000Z' }).execute();
    await db.updateTable('conversations').set({ updated_at: '2026-01-02T00:00:00.000Z' }).where('id', '=', id).execute();
    for (const url of [`/c/${id}?view=thread`, `/c/${id}`, `/e/${entries[1]!.id}`]) {
      const res = await world.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect([...articleCounts(res.body).values()].every((c) => c === 1)).toBe(true);
    }
    const thread = await world.app.inject({ method: 'GET', url: `/c/${id}?view=thread` });
    expect(articleCounts(thread.body).size).toBe(2);
  });
});
