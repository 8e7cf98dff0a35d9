// Page benchmark: GET /c/:id of a 500-entry conversation (5 blogs, posts and threaded comments)
// served by the real app, against a baseline of a bare Fastify route sending the same bytes from
// memory, in the same run and process: requests per second at a fixed concurrency, p99 latency
// at a fixed request rate, and the time to render the page when the cache misses.
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { Pool } from 'undici';
import defaults from '../config/default.json' with { type: 'json' };
import { buildApp } from '../src/app.ts';
import { validateConfig } from '../src/config.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase, type OpenedDatabase } from '../src/db/open.ts';
import { listConversationEntries, findConversation } from '../src/store/conversations.ts';
import { refreshConversation } from '../src/store/conversation-union.ts';
import { renderConversation } from '../src/views/conversation.ts';
import type { Figure } from './poll.ts';

const paragraph =
  'Die Debatte über das Social Media Camp verteilt sich über viele Blogs, Kommentare und Trackbacks; niemand kann sie an einem Ort lesen. ' +
  'Genau deshalb braucht es einen Ort, an dem das Gespräch zusammenläuft – mit Antworten, Zitaten und Links zu den Originalen.';

/** Fills a database with one conversation of `n` entries: a post per blog, the rest comments answering earlier entries. */
export async function seedConversation(database: OpenedDatabase, n: number): Promise<number> {
  const db = database.db;
  const now = '2026-01-01T00:00:00.000Z';
  await sql`insert into blogs (home_url, url_key, title, created_at, updated_at)
    with recursive b(i) as (select 1 union all select i + 1 from b where i < 5)
    select 'http://blog' || i || '.example/', 'blog' || i || '.example', 'Blog Nummer ' || i, ${now}, ${now} from b`.execute(db);
  await sql`insert into conversations (id, created_at, updated_at) values (1, ${now}, ${now})`.execute(db);
  // Entries 1–5 are posts (one per blog); every later entry comments on the entry i/3 before it.
  await sql`insert into entries (id, blog_id, kind, identity, guid, url, url_key, title, author_name, author_url, content_html, excerpt, lang,
      published_at, sort_at, content_hash, first_seen_at, changed_at, conversation_id)
    with recursive e(i) as (select 1 union all select i + 1 from e where i < ${n})
    select i, ((i - 1) % 5) + 1, case when i <= 5 then 'post' else 'comment' end, 'guid:' || i, 'g' || i,
      'http://blog' || (((i - 1) % 5) + 1) || '.example/p/' || i || '/', 'blog' || (((i - 1) % 5) + 1) || '.example/p/' || i,
      case when i <= 5 then 'Beitrag ' || i || ': Social Media Camp' else null end, 'Autorin ' || (i % 37), 'http://people.example/' || (i % 37),
      '<p>' || ${paragraph} || '</p><p>' || ${paragraph} || ' <a href="http://blog1.example/p/1/" rel="nofollow ugc noopener">Link</a></p>',
      substr(${paragraph}, 1, 200), 'de',
      strftime('%Y-%m-%dT%H:%M:%fZ', '2025-12-01', '+' || (i * 600) || ' seconds'), strftime('%Y-%m-%dT%H:%M:%fZ', '2025-12-01', '+' || (i * 600) || ' seconds'),
      'h' || i, ${now}, ${now}, 1 from e`.execute(db);
  await sql`insert into edges (from_entry_id, type, target, to_entry_id, created_at)
    select id, 'reply-to', 'ref:g' || max(1, id - 1 - (id / 3)), max(1, id - 1 - (id / 3)), ${now} from entries where id > 5`.execute(db);
  await sql`insert into entry_channels (entry_id, via, first_seen_at) select id, case when kind = 'post' then 'feed' else 'comment-feed' end, ${now} from entries`.execute(db);
  await refreshConversation(db, 1, now);
  return 1;
}

/** Sends requests for `seconds` with `concurrency` in flight; returns requests per second. */
async function throughput(origin: string, path: string, concurrency: number, seconds: number, headers: Record<string, string> = {}): Promise<number> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  let done = 0;
  const until = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const res = await pool.request({ path, method: 'GET', headers });
      await res.body.dump({ limit: Infinity });
      if (res.statusCode !== 200) throw new Error(`bench: ${path} answered ${res.statusCode}`);
      done += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return done / elapsed;
}

/** The size of one answer to `path` as sent (compressed when `headers` ask for it). */
async function answerSize(origin: string, path: string, headers: Record<string, string>): Promise<number> {
  const pool = new Pool(origin, { connections: 1 });
  try {
    const res = await pool.request({ path, method: 'GET', headers });
    const bytes = Buffer.from(await res.body.arrayBuffer()).length;
    if (res.statusCode !== 200) throw new Error(`bench: ${path} answered ${res.statusCode}`);
    return bytes;
  } finally {
    await pool.close();
  }
}

/** Sends requests at a fixed rate (open loop) for `seconds`; returns the p99 latency in ms. */
async function p99AtRate(origin: string, path: string, perSecond: number, seconds: number): Promise<number> {
  const pool = new Pool(origin, { connections: 64 });
  const latencies: number[] = [];
  const total = perSecond * seconds;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let k = 0; k < total; k++) {
    const due = start + (k * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      (async () => {
        // Latency counts from when the request was due, so a stall is not hidden (coordinated omission).
        const res = await pool.request({ path, method: 'GET' });
        await res.body.dump({ limit: Infinity });
        latencies.push(performance.now() - due);
      })(),
    );
  }
  await Promise.all(pending);
  await pool.close();
  latencies.sort((a, b) => a - b);
  return latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]!;
}

/** The real app on a loopback port, serving a database of one conversation of `entries` (seedConversation). */
async function serveConversation(entries: number) {
  const database = openDatabase(':memory:');
  await migrateToLatest(database.db);
  const id = await seedConversation(database, entries);
  const config = validateConfig({ ...defaults, databasePath: ':memory:', logLevel: 'silent' });
  const app = await buildApp({ config, db: database.db, fetch: async () => { throw new Error('bench: no fetching'); } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { database, id, config, app, origin: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}

/** Runs the page benchmark and returns its figures. */
export async function benchPages(options: { entries: number; concurrency: number; seconds: number; rate: number }): Promise<Figure[]> {
  const { database, id, config, app, origin: appOrigin } = await serveConversation(options.entries);
  const path = `/c/${id}`;

  const sample = await fetch(appOrigin + path);
  const body = Buffer.from(await sample.arrayBuffer());
  if (sample.status !== 200) throw new Error(`bench: ${path} answered ${sample.status}`);
  const baseline = Fastify({ logger: false });
  baseline.get(path, async (_request, reply) => reply.type('text/html; charset=utf-8').send(body));
  await baseline.listen({ host: '127.0.0.1', port: 0 });
  const baseOrigin = `http://127.0.0.1:${(baseline.server.address() as { port: number }).port}`;

  // Render without the cache: the store read and the template, median of 15.
  const found = await findConversation(database.db, id);
  if (!found || !('conversation' in found)) throw new Error('bench: conversation missing');
  const renders: number[] = [];
  for (let k = 0; k < 15; k++) {
    const t0 = performance.now();
    const entries = await listConversationEntries(database.db, id);
    renderConversation({ conversation: found.conversation, entries, now: new Date(), publicUrl: config.publicUrl, locale: 'de' });
    renders.push(performance.now() - t0);
  }
  renders.sort((a, b) => a - b);

  try {
    // Warm both, then alternate so drift hits both sides alike.
    await throughput(baseOrigin, path, options.concurrency, 1);
    await throughput(appOrigin, path, options.concurrency, 1);
    const base1 = await throughput(baseOrigin, path, options.concurrency, options.seconds);
    const app1 = await throughput(appOrigin, path, options.concurrency, options.seconds);
    const base2 = await throughput(baseOrigin, path, options.concurrency, options.seconds);
    const app2 = await throughput(appOrigin, path, options.concurrency, options.seconds);
    // As a browser asks for it: the kept page's brotli form, made once, sent to every reader.
    const browser = { 'accept-encoding': 'gzip, deflate, br' };
    const compressed = await answerSize(appOrigin, path, browser);
    await throughput(appOrigin, path, options.concurrency, 1, browser);
    const br1 = await throughput(appOrigin, path, options.concurrency, options.seconds, browser);
    const plain3 = await throughput(appOrigin, path, options.concurrency, options.seconds);
    const br2 = await throughput(appOrigin, path, options.concurrency, options.seconds, browser);
    const plain4 = await throughput(appOrigin, path, options.concurrency, options.seconds);
    const baseP99 = await p99AtRate(baseOrigin, path, options.rate, options.seconds);
    const appP99 = await p99AtRate(appOrigin, path, options.rate, options.seconds);
    const kb = (body.length / 1024).toFixed(0);
    return [
      {
        name: `conversation page, ${options.entries} entries (${kb} KiB)`,
        value: (app1 + app2) / 2,
        unit: 'req/s',
        baseline: (base1 + base2) / 2,
        higherIsBetter: true,
        note: `concurrency ${options.concurrency}, ${options.seconds} s × 2 per side; baseline = bare Fastify sending the same ${kb} KiB from memory`,
      },
      {
        name: `conversation page, ${options.entries} entries, as browsers ask for it (brotli)`,
        value: (br1 + br2) / 2,
        unit: 'req/s',
        baseline: (plain3 + plain4) / 2,
        higherIsBetter: true,
        note: `Accept-Encoding: gzip, deflate, br; the page goes as ${(compressed / 1024).toFixed(0)} KiB of brotli instead of ${kb} KiB, compressed once per rendering; baseline = the same page uncompressed from the same app, alternating`,
      },
      {
        name: `conversation page p99 at ${options.rate} req/s`,
        value: appP99,
        unit: 'ms',
        baseline: baseP99,
        higherIsBetter: false,
        note: 'open loop (latency counted from when each request was due); baseline as above',
      },
      {
        name: `conversation page render on a cache miss (${options.entries} entries)`,
        value: renders[Math.floor(renders.length / 2)]!,
        unit: 'ms',
        baseline: null,
        higherIsBetter: false,
        note: 'median of 15: store read (entries, channels, edges) and template, no HTTP',
      },
    ];
  } finally {
    await app.close();
    await baseline.close();
    await database.close();
  }
}

/**
 * Pages through a conversation of `entries` (seeded as above) over HTTP, each page once, as a
 * reader following "next" does: every page misses the page cache. The first page reads the
 * conversation's shape and lays out its map; the later pages reuse both. Returns the figure.
 */
export async function benchPaging(options: { entries: number }): Promise<Figure[]> {
  const { database, id, app, origin } = await serveConversation(options.entries);
  try {
    const times: number[] = [];
    let path: string | null = `/c/${id}`;
    while (path) {
      const t0 = performance.now();
      const res: Response = await fetch(origin + path);
      const body: string = await res.text();
      times.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`bench: ${path} answered ${res.status}`);
      path = /<a href="([^"]+)" rel="next">/.exec(body)?.[1]?.replace(/&amp;/g, '&') ?? null;
    }
    const later = times.slice(1).sort((a, b) => a - b);
    return [
      {
        name: `paging through a conversation of ${options.entries.toLocaleString('en')} entries: a later page`,
        value: later[Math.floor(later.length / 2)]!,
        unit: 'ms',
        baseline: times[0]!,
        higherIsBetter: false,
        note: `median of its ${later.length} later pages, each rendered on a cache miss over HTTP; baseline: its first page, which also reads the conversation's shape and lays out the map every page draws`,
      },
    ];
  } finally {
    await app.close();
    await database.close();
  }
}
