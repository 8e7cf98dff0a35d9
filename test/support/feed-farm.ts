// Fixture feeds on several loopback addresses for the tests of several pollers: every request is
// counted per feed, and the most requests one host ever had in flight at once is kept, so tests
// can show that nothing was fetched twice and the per-host limit held over all processes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { insertBlog } from '../../src/store/blogs.ts';
import { insertSource } from '../../src/store/sources.ts';
import type { Db } from '../../src/db/open.ts';

export interface PollFarm {
  urls: string[];
  /** The home page of blog n (on the farm's addresses). */
  blogUrl(n: number): string;
  /** The origin of each host, in order. */
  origins: string[];
  /** Requests per feed URL. */
  fetches: Map<string, number>;
  /** The most requests one host had in flight at the same time, over all hosts. */
  maxInFlightPerHost(): number;
  /** Requests that have reached the farm so far. */
  requests(): number;
  close(): Promise<void>;
}

// Each feed's posts link to the same post of the next blog in a circle of five, so that the
// pollers build conversations across blogs, as a debate would. Blogs live on the farm's own
// addresses (http://127.0.0.3:port/blog7/), so that whatever the poller asks of a blog stays on
// loopback.
function feedBody(n: number, items: number, blogUrl: (n: number) => string): string {
  const peer = Math.floor(n / 5) * 5 + ((n + 1) % 5);
  const out = [`<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Blog ${n}</title><link>${blogUrl(n)}</link><description>Blog ${n}</description>`];
  for (let i = 0; i < items; i++) {
    out.push(
      `<item><title>Post ${i} of blog ${n}</title><link>${blogUrl(n)}post-${i}/</link><guid>${blogUrl(n)}?p=${i}</guid>` +
        `<pubDate>Mon, 10 Nov 2008 ${String(i % 24).padStart(2, '0')}:00:00 +0000</pubDate>` +
        `<description><![CDATA[<p>About <a href="${blogUrl(peer)}post-${i}/">blog ${peer}</a>.</p>]]></description></item>`,
    );
  }
  out.push('</channel></rss>');
  return out.join('\n');
}

/** Starts servers on 127.0.0.1…127.0.0.<hosts> serving `count` feeds between them, each answer after `delayMs`. */
export async function startPollFarm(count: number, options: { hosts?: number; items?: number; delayMs?: number } = {}): Promise<PollFarm> {
  const hosts = options.hosts ?? 8;
  const items = options.items ?? 3;
  const fetches = new Map<string, number>();
  let maxInFlight = 0;
  let requests = 0;
  const servers: http.Server[] = [];
  const bases: string[] = [];
  const blogUrl = (n: number) => `${bases[n % hosts]}/blog${n}/`;
  for (let h = 0; h < hosts; h++) {
    let inFlight = 0;
    const server = http.createServer((req, res) => {
      requests += 1;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const url = `${bases[h]}${req.url ?? ''}`;
      fetches.set(url, (fetches.get(url) ?? 0) + 1);
      const m = /^\/feed\/(\d+)\.xml$/.exec(req.url ?? '');
      // A page that mentions a post, for webmentions: /mention/<post url, URI-encoded>.
      const mention = /^\/mention\/([^?]+)/.exec(req.url ?? '');
      const answer = () => {
        if (m) res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(feedBody(Number(m[1]), items, blogUrl));
        else if (mention) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>A reply</title><p>I disagree with <a href="${decodeURIComponent(mention[1]!).replace(/[<>"&]/g, '')}">this post</a>.</p>`);
        else res.writeHead(404).end();
      };
      res.on('close', () => (inFlight -= 1));
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    });
    await new Promise<void>((resolve) => server.listen(0, `127.0.0.${h + 1}`, resolve));
    const { address, port } = server.address() as AddressInfo;
    bases.push(`http://${address}:${port}`);
    servers.push(server);
  }
  const urls = Array.from({ length: count }, (_, n) => `${bases[n % hosts]}/feed/${n}.xml`);
  return {
    urls,
    blogUrl,
    origins: bases,
    fetches,
    maxInFlightPerHost: () => maxInFlight,
    requests: () => requests,
    close: async () => {
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

/** Registers one blog per feed of the farm, each with its feed due at `now`. */
export async function registerFarm(db: Db, farm: PollFarm, now: string): Promise<void> {
  for (const [n, url] of farm.urls.entries()) {
    const home = farm.blogUrl(n);
    const blog = await insertBlog(db, { homeUrl: home, urlKey: home.replace(/^http:\/\//, '').replace(/\/$/, ''), title: `Blog ${n}`, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, now);
    await insertSource(db, { blogId: blog.id, kind: 'feed', url, nextCheckAt: now }, now);
  }
}
