// Feeds built to cost Palaver as much as possible: 17,500 items in 4.9 MB, and a 3,000-item feed
// answering 200 with the same body and no validators on every poll. A poll reads at most
// poller.maxItemsPerPoll items (the newest) and says how many it left out; an unchanged body is
// not parsed again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAttackWeb, homePage, type AttackWeb } from './attack-web.ts';
import { whileServing } from './expect.ts';
import { startFaultServer, type FaultServer } from './fault-server.ts';
import { createWorld, type World } from './world.ts';

let faults: FaultServer;
let web: AttackWeb;
let world: World;

/** A feed of `n` small items, newest first, about 280 bytes each. */
function manyItemFeed(origin: string, name: string, n: number): string {
  const base = `${origin}/${name}`;
  const start = Date.UTC(2020, 0, 1);
  const items: string[] = [];
  for (let i = n; i >= 1; i--) {
    items.push(
      `<item><title>${name} item ${i}</title><link>${base}/p/${i}/</link><guid isPermaLink="false">${name}-${i}</guid><pubDate>${new Date(start + i * 60_000).toUTCString()}</pubDate><description>Item ${i} of a very long feed.</description></item>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>${name}</title><link>${base}/</link><description>big</description>${items.join('\n')}</channel></rss>`;
}

function serve(name: string, n: number): string {
  const body = manyItemFeed(web.origin, name, n);
  web.route(`/${name}/`, { type: 'text/html; charset=utf-8', body: homePage(name, `${web.origin}/${name}/feed`) });
  // No ETag, no Last-Modified: every poll gets the whole body again with 200.
  web.route(`/${name}/feed`, { type: 'application/rss+xml; charset=utf-8', body });
  web.route(`/${name}/p/${n}/`, { type: 'text/html', body: '<!DOCTYPE html><title>newest</title>' });
  return body;
}

async function registerAndPoll(name: string): Promise<number> {
  const res = await world.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${web.origin}/${name}/` } });
  expect(res.statusCode, res.body).toBe(201);
  const summary = await world.pollAll();
  expect(summary.crashed).toBe(0);
  return res.json<{ id: number }>().id;
}

beforeAll(async () => {
  faults = await startFaultServer({ maxBodyBytes: 5 * 1024 * 1024 });
  web = await startAttackWeb();
  world = await createWorld(faults, { fetcher: { allowedOrigins: [faults.origin, web.origin], timeoutMs: 20_000 } });
});
afterAll(async () => {
  await world.close();
  await web.close();
  await faults.close();
});

describe('big feeds', () => {
  it('a 17,500-item feed stores at most poller.maxItemsPerPoll entries, the newest, and the blog page says how many it left out', async (ctx) => {
    const body = serve('huge', 17_500);
    expect(body.length).toBeGreaterThan(4_000_000);
    expect(body.length).toBeLessThan(5 * 1024 * 1024);
    const id = await whileServing(world, () => registerAndPoll('huge'), { ctx });
    const blog = await world.blog(id);
    expect(world.config.poller.maxItemsPerPoll).toBe(500);
    expect(blog.entryCount).toBe(500);
    const newest = await world.database.db.selectFrom('entries').select(['title']).where('blog_id', '=', id).orderBy('sort_at', 'asc').limit(1).executeTakeFirstOrThrow();
    expect(newest.title).toBe('huge item 17001');
    const page = await world.app.inject({ method: 'GET', url: `/blogs/${id}` });
    expect(page.body).toContain('17,000 older items left unread');
    // Polling again reads the same newest 500: nothing more is stored.
    await world.pollAll();
    expect((await world.blog(id)).entryCount).toBe(500);
  });

  it('an unchanged re-poll of a 3,000-item feed (200, same body, no validators) costs under 0.5 s of CPU', async (ctx) => {
    serve('same', 3000);
    const id = await registerAndPoll('same');
    expect((await world.blog(id)).entryCount).toBe(500);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const summary = await world.pollAll();
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    ctx.task.meta.note = `re-poll: ${cpuSeconds.toFixed(3)} s of CPU, ${Math.round(performance.now() - started)} ms`;
    expect(summary.crashed).toBe(0);
    expect(web.hits.filter((h) => h.path === '/same/feed').length).toBeGreaterThanOrEqual(2);
    expect(cpuSeconds).toBeLessThan(0.5);
    const feedSource = (await world.blog(id)).sources.find((s) => s.kind === 'feed')!;
    expect(feedSource.lastStatus).toBe(200);
    expect(feedSource.lastError).toBeNull();
  });
});
