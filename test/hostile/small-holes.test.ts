// The smaller holes: request bodies trickled a byte at a time, plain-text RSS titles carrying
// markup, the admin cookie and its login, ping limits dodged with the addresses of one IPv6 /64,
// and WebSub callbacks of any length.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app.ts';
import { homePage, rssFeed, startAttackWeb, type AttackWeb } from './attack-web.ts';
import { startFaultServer, type FaultServer } from './fault-server.ts';
import { createWorld } from './world.ts';

let faults: FaultServer;
let web: AttackWeb;

beforeAll(async () => {
  faults = await startFaultServer({ maxBodyBytes: 5 * 1024 * 1024 });
  web = await startAttackWeb();
});
afterAll(async () => {
  await web.close();
  await faults.close();
});

/** Opens a connection that sends `head` and then one byte every `everyMs`; resolves when the server closes it. */
function trickle(port: number, head: string, everyMs: number, from = '127.0.0.1'): { closed: Promise<number>; stop: () => void } {
  const started = Date.now();
  const socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
  let timer: NodeJS.Timeout | undefined;
  const closed = new Promise<number>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer);
      resolve(Date.now() - started);
    });
    socket.on('error', () => undefined);
  });
  socket.on('connect', () => {
    socket.write(head);
    timer = setInterval(() => {
      if (!socket.destroyed) socket.write('a');
    }, everyMs);
  });
  return { closed, stop: () => socket.destroy() };
}

describe('small holes', () => {
  it('request bodies and headers trickled a byte at a time are cut off after server.requestTimeoutMs', async (ctx) => {
    const world = await createWorld(faults, { settings: { server: { requestTimeoutMs: 2000, headersTimeoutMs: 1500 } } });
    try {
      await world.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (world.app.server.address() as net.AddressInfo).port;
      // From two addresses: one may hold at most server.maxConnectionsPerClient (256) open.
      const bodies = Array.from({ length: 300 }, (_, i) =>
        trickle(port, 'POST /webmention HTTP/1.1\r\nHost: palaver.example\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n', 500, `127.0.0.${2 + (i % 2)}`),
      );
      const headers = Array.from({ length: 50 }, () => trickle(port, 'GET / HTTP/1.1\r\nHost: palaver.example\r\nX-Slow: ', 500));
      const all = [...bodies, ...headers];
      const limit = new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 8000));
      const outcomes = await Promise.all(all.map((c) => Promise.race([c.closed, limit])));
      for (const c of all) c.stop();
      const stillOpen = outcomes.filter((o) => o === 'open').length;
      const slowest = Math.max(...outcomes.filter((o): o is number => typeof o === 'number'));
      ctx.task.meta.note = `350 trickling connections; still open after 8 s: ${stillOpen}; last closed after ${slowest} ms`;
      expect(stillOpen).toBe(0);
      await world.expectHealthy();
    } finally {
      await world.close();
    }
  });

  it('plain-text RSS titles, names and TrackBack listings carry markup as character references, never as &lt;tags&gt;', async () => {
    const world = await createWorld(faults, { fetcher: { allowedOrigins: [faults.origin, web.origin] } });
    try {
      const { id } = await world.registerGoodBlog('holes-xss');
      faults.setFeed('holes-xss', 'xss');
      await world.pollAll();
      // A TrackBack from a page whose title is markup as text ("&lt;script&gt;" in its <title>),
      // with a script in the ping's own title and excerpt, as the listing and the feeds show it.
      const entry = await world.database.db.selectFrom('entries').select(['id', 'url']).where('blog_id', '=', id).where('url', 'like', '%post-1/').executeTakeFirstOrThrow();
      web.route('/tb-source', { type: 'text/html', body: `<!DOCTYPE html><title>&lt;script&gt;alert(3)&lt;/script&gt; &amp; more</title><p>About <a href="${entry.url}">this</a>.</p>` });
      const ping = await world.app.inject({
        method: 'POST',
        url: `/trackback/${entry.id}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        // TrackBack fields are HTML: tags go, and escaped markup stays as text ("<script>").
        payload: new URLSearchParams({ url: `${web.origin}/tb-source`, title: '&lt;script&gt;alert(2)&lt;/script&gt;', excerpt: 'Fish &amp; &lt;b&gt;chips&lt;/b&gt;', blog_name: '<i>Mallory</i>' }).toString(),
      });
      expect(ping.body).toContain('<error>0</error>');
      await world.pingVerifier.runOnce();
      const listing = (await world.app.inject({ method: 'GET', url: `/trackback/${entry.id}?__mode=rss` })).body;
      expect(listing).toContain('<title>&#x3C;script&#x3E;alert(2)&#x3C;/script&#x3E;</title>');
      expect(listing).toContain('<description>Fish &#x26; &#x3C;b&#x3E;chips&#x3C;/b&#x3E;</description>');
      expect(listing).not.toMatch(/&lt;script|&lt;b&gt;/);

      // A post whose title is markup as text: a reader treating RSS titles as HTML must not get a tag.
      web.route('/escaped/', { type: 'text/html; charset=utf-8', body: homePage('Escaped', `${web.origin}/escaped/feed`) });
      web.route('/escaped/feed', {
        type: 'application/rss+xml; charset=utf-8',
        body: rssFeed({ title: 'Escaped', link: `${web.origin}/escaped/` }, [
          { title: '<![CDATA[&lt;script&gt;alert(3)&lt;/script&gt; &amp; more]]>', link: `${web.origin}/escaped/1/`, guid: 'esc-1', date: new Date('2026-02-01'), html: '<p>x</p>' },
        ]),
      });
      expect((await world.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${web.origin}/escaped/` } })).statusCode).toBe(201);
      await world.pollAll();
      for (const url of ['/feed.rss', `/blogs/${id}/feed.rss`]) {
        const rss = (await world.app.inject({ method: 'GET', url })).body;
        const plain = [...rss.matchAll(/<(title|dc:creator|source)[^>]*>([^<]*)<\/\1>/g)].map((m) => m[2]!);
        expect(plain.length).toBeGreaterThan(5);
        for (const text of plain) expect(text, url).not.toMatch(/&lt;|&gt;|&amp;/);
        if (url === '/feed.rss') expect(rss).toContain('&#x3C;script&#x3E;alert(3)&#x3C;/script&#x3E; &#x26; more');
      }
    } finally {
      await world.close();
    }
  });

  it('the admin cookie holds a session id, not the token, is Secure under an https PUBLIC_URL, and login guesses are limited', async () => {
    const token = 'holes-admin-token-0123456789';
    const world = await createWorld(faults, { settings: { adminToken: token, publicUrl: 'https://palaver.example' } });
    try {
      const login = await world.app.inject({ method: 'POST', url: '/admin/login', payload: { token } });
      const cookie = String(login.headers['set-cookie']);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).not.toContain(token);
      expect(cookie).not.toContain(encodeURIComponent(token));
      // The raw token as a cookie opens nothing.
      const forged = await world.app.inject({ method: 'GET', url: '/admin', headers: { cookie: `palaver_admin=${encodeURIComponent(token)}` } });
      expect(forged.body).toContain('name="token"');

      const guesses: number[] = [];
      for (let i = 0; i < 30; i++) guesses.push((await world.app.inject({ method: 'POST', url: '/admin/login', payload: { token: `guess-${i}` }, remoteAddress: '2001:db8:aa:bb::1' })).statusCode);
      expect(guesses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
      expect(guesses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
      // Another address of the same /64 is the same client.
      const same64 = await world.app.inject({ method: 'POST', url: '/admin/login', payload: { token }, remoteAddress: '2001:db8:aa:bb::99' });
      expect(same64.statusCode).toBe(429);
    } finally {
      await world.close();
    }
  });

  it('ping limits count the addresses of one IPv6 /64 as one client', async () => {
    const world = await createWorld(faults, { pings: { perClientPerMinute: 3, perSourceHostPerMinute: 1000 } });
    try {
      await world.registerGoodBlog('holes-ping');
      const target = `${faults.origin}/blog/holes-ping/post-1/`;
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await world.app.inject({
          method: 'POST',
          url: '/webmention',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ source: `http://source${i}.example/post`, target }).toString(),
          remoteAddress: `2001:db8:ff:1:${i + 1}::7`,
        });
        statuses.push(res.statusCode);
      }
      expect(statuses.filter((s) => s === 201).length).toBe(3);
      expect(statuses.filter((s) => s === 429).length).toBe(7);
    } finally {
      await world.close();
    }
  });

  it('a WebSub callback longer than 2,048 characters is refused (400)', async () => {
    const t = await createTestApp();
    try {
      const subscribe = (callback: string) =>
        t.app.inject({
          method: 'POST',
          url: '/websub',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': `${t.config.publicUrl}/feed.atom`, 'hub.callback': callback }).toString(),
        });
      const refused = await subscribe(`http://subscriber.example/${'x'.repeat(2100)}`);
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('at most 2048 characters');
      expect((await subscribe(`http://subscriber.example/${'x'.repeat(1900)}`)).statusCode).toBe(202);
    } finally {
      await t.close();
    }
  });
});
