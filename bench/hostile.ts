// Hostile cases against the whole service: how slow /health gets while it is attacked. The service
// runs in a child process (bench/hostile-service.ts) on a database file; this process serves the
// attack pages and sends the attacks, and another (bench/health-probe.ts) asks /health every
// 50 ms. Baseline: /health while idle.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { Pool } from 'undici';
import defaults from '../config/default.json' with { type: 'json' };
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { refreshConversation } from '../src/store/conversation-union.ts';
import type { Figure } from './poll.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const adminToken = 'bench-hostile-admin-token-0123';

/** The attack web: static answers by path, served from this process. */
async function startAttackServer(): Promise<{ origin: string; route: (p: string, type: string, body: string | Buffer) => void; close: () => Promise<void> }> {
  const routes = new Map<string, { type: string; body: string | Buffer }>();
  const server = http.createServer((req, res) => {
    const r = routes.get((req.url ?? '/').split('?')[0]!);
    req.resume();
    if (!r) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': r.type }).end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return { origin, route: (p, type, body) => routes.set(p, { type, body }), close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Asks /health every 50 ms until stopped, from a process of its own (health-probe.ts): an attack
 * sent from this process keeps its event loop busy, and a probe here would time that too.
 * Resolves once the probe runs; `stop` returns the latencies in ms.
 */
async function probeHealth(origin: string): Promise<{ stop: () => Promise<number[]> }> {
  const child = fork(path.join(here, 'health-probe.ts'), [origin], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`bench: the /health probe exited ${code}`))));
  await Promise.race([new Promise((resolve) => child.once('message', resolve)), exited]);
  return {
    stop: () => {
      const latencies = Promise.race([new Promise<number[]>((resolve) => child.once('message', (m) => resolve(m as number[]))), exited]);
      child.send('stop');
      return latencies;
    },
  };
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
};

/** Seeds a conversation of `n` posts where each links the next and the last the first. */
async function seedCircle(file: string, n: number): Promise<number> {
  const database = openDatabase(file);
  await migrateToLatest(database.db);
  const db = database.db;
  const now = '2026-01-01T00:00:00.000Z';
  await sql`insert into blogs (id, home_url, url_key, title, created_at, updated_at) values (1, 'http://circle.example/', 'circle.example', 'Circle', ${now}, ${now})`.execute(db);
  await sql`insert into conversations (id, created_at, updated_at) values (1, ${now}, ${now})`.execute(db);
  await sql`insert into entries (id, blog_id, kind, identity, guid, url, url_key, title, author_name, content_html, excerpt, published_at, sort_at, content_hash, first_seen_at, changed_at, conversation_id)
    with recursive e(i) as (select 1 union all select i + 1 from e where i < ${n})
    select i, 1, 'post', 'c:' || i, 'c' || i, 'http://circle.example/p/' || i || '/', 'circle.example/p/' || i, 'Circle post ' || i, 'Author ' || (i % 7),
      '<p>Answering <a href="http://circle.example/p/' || (i % ${n} + 1) || '/">the next post</a>.</p>', 'Answering the next post',
      strftime('%Y-%m-%dT%H:%M:%fZ', '2025-06-01', '+' || (i * 60) || ' seconds'), strftime('%Y-%m-%dT%H:%M:%fZ', '2025-06-01', '+' || (i * 60) || ' seconds'), 'h' || i, ${now}, ${now}, 1 from e`.execute(db);
  await sql`insert into edges (from_entry_id, type, target, to_entry_id, created_at) select id, 'links-to', 'url:circle.example/p/' || (id % ${n} + 1), id % ${n} + 1, ${now} from entries`.execute(db);
  await sql`insert into entry_channels (entry_id, via, first_seen_at) select id, 'feed', ${now} from entries`.execute(db);
  await refreshConversation(db, 1, now);
  await database.close();
  return 1;
}

function manyItemFeed(base: string, n: number): string {
  const items: string[] = [];
  for (let i = n; i >= 1; i--) items.push(`<item><title>Item ${i}</title><link>${base}/p/${i}/</link><guid isPermaLink="false">big-${i}</guid><pubDate>${new Date(Date.UTC(2020, 0, 1) + i * 60_000).toUTCString()}</pubDate><description>Item ${i}.</description></item>`);
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Big</title><link>${base}/</link><description>d</description>${items.join('')}</channel></rss>`;
}

/** Runs the hostile cases against a service in a second process; returns /health p99 for each. */
export async function benchHostile(options: { seconds: number }): Promise<Figure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-hostile-bench-'));
  const databasePath = path.join(dir, 'hostile.db');
  const web = await startAttackServer();
  const conversationId = await seedCircle(databasePath, 1000);
  const configFile = path.join(dir, 'config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      ...defaults,
      port: 0,
      host: '127.0.0.1',
      databasePath,
      adminToken,
      poller: { ...defaults.poller, tickSeconds: 1 },
      pings: { ...defaults.pings, moderation: 'open', perClientPerMinute: 1e6, perSourceHostPerMinute: 1e6 },
    }),
  );
  const child = fork(path.join(here, 'hostile-service.ts'), [configFile], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const origin = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { address: string }).address));
    child.once('exit', (code) => reject(new Error(`bench: the hostile service exited ${code}`)));
  });
  const client = new Pool(origin, { connections: 16 });
  const request = async (method: 'GET' | 'POST', p: string, body?: string, headers: Record<string, string> = {}) => {
    const res = await client.request({ method, path: p, body, headers, headersTimeout: 120_000, bodyTimeout: 120_000 });
    return { status: res.statusCode, text: await res.body.text() };
  };

  // The registered blog that pings target, and the pages the attacks need.
  web.route('/target/', 'text/html', `<!DOCTYPE html><title>Target</title><link rel="alternate" type="application/rss+xml" href="${web.origin}/target/feed">`);
  web.route('/target/feed', 'application/rss+xml', `<?xml version="1.0"?><rss version="2.0"><channel><title>Target</title><link>${web.origin}/target/</link><description>t</description><item><title>Target post</title><link>${web.origin}/target/p/1/</link><guid>t-1</guid><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate></item></channel></rss>`);
  web.route('/target/p/1/', 'text/html', '<!DOCTYPE html><title>Target post</title>');
  await request('POST', '/api/blogs', JSON.stringify({ url: `${web.origin}/target/` }), { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` });
  await new Promise((r) => setTimeout(r, 3000));
  const flood = Buffer.from(`<!DOCTYPE html><title>Flood</title><body>${`<p class="h-entry"><a class="u-in-reply-to" href="${web.origin}/target/p/1/">re</a></p>\n`.repeat(60_000)}</body>`);
  for (let i = 0; i < 50; i++) web.route(`/flood/${i}`, 'text/html', flood);
  web.route('/big/', 'text/html', `<!DOCTYPE html><title>Big</title><link rel="alternate" type="application/rss+xml" href="${web.origin}/big/feed">`);
  web.route('/big/feed', 'application/rss+xml', manyItemFeed(`${web.origin}/big`, 17_500));
  for (let i = 0; i < 300; i++) {
    web.route(`/spam/${i}/`, 'text/html', `<!DOCTYPE html><title>Spam ${i}</title><link rel="alternate" type="application/rss+xml" href="${web.origin}/spam/${i}/feed">`);
    web.route(`/spam/${i}/feed`, 'application/rss+xml', `<?xml version="1.0"?><rss version="2.0"><channel><title>Spam ${i}</title><link>${web.origin}/spam/${i}/</link><description>s</description></channel></rss>`);
  }

  const cases: { name: string; note: string; attack: (until: number) => Promise<void> }[] = [
    {
      name: 'a 1,000-entry reply circle, its pages requested by 8 clients',
      note: 'every page of /c/:id?view=thread and the timeline, in turn, 8 at a time',
      attack: async (until) => {
        const first = await request('GET', `/c/${conversationId}?view=thread`);
        const pages = Number(/Page 1 of (\d+)/.exec(first.text)?.[1] ?? 1);
        let k = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (performance.now() < until) {
              const page = (k++ % pages) + 1;
              await request('GET', `/c/${conversationId}?${k % 2 ? 'view=thread&' : ''}page=${page}&lang=${k % 3 ? 'en' : 'de'}`);
            }
          }),
        );
      },
    },
    {
      name: '50 webmentions from 5 MB sources of 60,000 h-entries',
      note: 'queued at once; each source is rejected at the 1 MiB limit',
      attack: async (until) => {
        for (let i = 0; i < 50; i++) {
          const body = new URLSearchParams({ source: `${web.origin}/flood/${i}`, target: `${web.origin}/target/p/1/` }).toString();
          await request('POST', '/webmention', body, { 'content-type': 'application/x-www-form-urlencoded' });
        }
        while (performance.now() < until) await new Promise((r) => setTimeout(r, 100));
      },
    },
    {
      name: 'a 17,500-item feed registered and polled',
      note: 'default cap: the newest 500 items are read',
      attack: async (until) => {
        await request('POST', '/api/blogs', JSON.stringify({ url: `${web.origin}/big/` }), { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` });
        while (performance.now() < until) await new Promise((r) => setTimeout(r, 100));
      },
    },
    {
      name: '300 registrations from one client',
      note: 'registry.perClientPerHour (10) succeed, the rest answer 429',
      attack: async (until) => {
        for (let i = 0; i < 300 && performance.now() < until; i++) await request('POST', '/api/blogs', JSON.stringify({ url: `${web.origin}/spam/${i}/` }), { 'content-type': 'application/json' });
        while (performance.now() < until) await new Promise((r) => setTimeout(r, 100));
      },
    },
    {
      name: '500 connections trickling request bodies',
      note: 'a byte every 500 ms each, from 4 loopback addresses (server.maxConnectionsPerClient is 256); server.requestTimeoutMs (30 s) cuts them off',
      attack: async (until) => {
        const port = Number(new URL(origin).port);
        const sockets = Array.from({ length: 500 }, (_, i) => {
          const s = net.connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${2 + (i % 4)}` }, () => s.write('POST /webmention HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n'));
          s.on('error', () => undefined);
          return s;
        });
        const timer = setInterval(() => {
          for (const s of sockets) if (!s.destroyed) s.write('a');
        }, 500);
        while (performance.now() < until) await new Promise((r) => setTimeout(r, 100));
        clearInterval(timer);
        for (const s of sockets) s.destroy();
      },
    },
    {
      name: '3,000 connections from one address',
      note: 'each sends half a request and waits; one closed by the service is opened again a second later (server.maxConnectionsPerClient, 256, holds the rest off)',
      attack: async (until) => {
        const port = Number(new URL(origin).port);
        const open = new Set<net.Socket>();
        let stopped = false;
        const connect = () => {
          if (stopped) return;
          const s = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.9' }, () => s.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: '));
          open.add(s);
          s.on('error', () => undefined);
          s.on('close', () => {
            open.delete(s);
            if (!stopped) setTimeout(connect, 1000);
          });
        };
        for (let i = 0; i < 3000; i++) connect();
        while (performance.now() < until) await new Promise((r) => setTimeout(r, 100));
        stopped = true;
        for (const s of open) s.destroy();
      },
    },
  ];

  const measure = async (attack: (until: number) => Promise<void>) => {
    const probe = await probeHealth(origin);
    await attack(performance.now() + options.seconds * 1000);
    const latencies = await probe.stop();
    return { p99: percentile(latencies, 0.99), max: Math.max(...latencies), samples: latencies.length };
  };

  try {
    const idle = await measure(async (until) => {
      while (performance.now() < until) await new Promise((r) => setTimeout(r, 100));
    });
    const figures: Figure[] = [];
    for (const c of cases) {
      const m = await measure(c.attack);
      figures.push({
        name: `hostile: /health p99 during ${c.name}`,
        value: m.p99,
        baseline: idle.p99,
        unit: 'ms',
        higherIsBetter: false,
        note: `${c.note}; ${m.samples} samples over ${options.seconds} s, slowest ${m.max.toFixed(0)} ms; baseline: /health p99 of the idle service (slowest ${idle.max.toFixed(0)} ms)`,
      });
    }
    return figures;
  } finally {
    await client.close();
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
    await web.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
