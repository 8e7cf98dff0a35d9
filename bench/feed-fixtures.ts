// Fixture feeds for benchmarks: N RSS feeds of ~20 items each, spread over several loopback
// addresses so the per-host politeness limit does not cap the figures, with ETag/304 support
// that can be turned off, every item changed at once or one new post a feed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FeedFarm {
  urls: string[];
  /** Makes every feed change (new ETag and items) before the next run. */
  bump(): void;
  /** Gives every feed one new post, its oldest dropped: the other items stay byte for byte the same. */
  advance(): void;
  /** Whether feeds answer with an ETag and honour If-None-Match (on at start): off, a blog without validators. */
  validators(on: boolean): void;
  requests(): number;
  close(): Promise<void>;
}

// Each post answers the same-numbered post of the next blog in its circle of ten: debates of
// ten blogs, as a blog carnival or a topic week would make, not one thread through every blog.
function debatePeer(n: number): number {
  return Math.floor(n / 10) * 10 + ((n + 1) % 10);
}

// An item's text depends on its number alone, so that an item still in the feed after
// advance() reads the same as before.
function renderFeed(n: number, first: number, items: number): string {
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">`,
    `<channel><title>Blog ${n}</title><link>http://blog${n}.example/</link><description>Fixture blog ${n}</description>`,
  ];
  for (let i = 0; i < items; i++) {
    const id = first + i;
    out.push(
      `<item><title>Beitrag ${id} über „Social Media“ – Teil ${id % 20}</title><link>http://blog${n}.example/2008/11/post-${id}/</link>` +
        `<guid isPermaLink="false">http://blog${n}.example/?p=${id}</guid><dc:creator><![CDATA[Autor ${n}]]></dc:creator>` +
        `<pubDate>Mon, 10 Nov 2008 ${String(id % 24).padStart(2, '0')}:00:00 +0000</pubDate>` +
        `<description><![CDATA[Kurzfassung ${id} mit Umlauten äöü […]]]></description>` +
        `<content:encoded><![CDATA[<p>Absatz eins von ${id} mit einem <a href="http://blog${debatePeer(n)}.example/2008/11/post-${id}/">Link</a>.</p><p>Absatz zwei, etwas länger, damit der Inhalt einem echten Beitrag ähnelt: ${'Lorem ipsum dolor sit amet. '.repeat(8)}</p>]]></content:encoded>` +
        `<wfw:commentRss>http://blog${n}.example/2008/11/post-${id}/feed/</wfw:commentRss><slash:comments>${id % 5}</slash:comments></item>`,
    );
  }
  out.push('</channel></rss>');
  return out.join('\n');
}

/** Starts `hosts` servers on 127.0.0.2… serving `count` feeds between them, each answer `delayMs` late. */
export async function startFeedFarm(count: number, options: { hosts?: number; items?: number; delayMs?: number } = {}): Promise<FeedFarm> {
  const hosts = options.hosts ?? 8;
  const items = options.items ?? 20;
  let generation = 1;
  let advanced = 0;
  let validators = true;
  let requests = 0;
  const cache = new Map<number, { body: string; etag: string }>();
  const servers: http.Server[] = [];
  const urls: string[] = [];
  const bases: string[] = [];
  for (let h = 0; h < hosts; h++) {
    const server = http.createServer((req, res) => {
      requests += 1;
      const m = /^\/feed\/(\d+)\.xml$/.exec(req.url ?? '');
      if (!m) {
        res.writeHead(404).end();
        return;
      }
      const n = Number(m[1]);
      const etag = `"g${generation}-a${advanced}-${n}"`;
      let entry = cache.get(n);
      if (entry?.etag !== etag) {
        entry = { body: renderFeed(n, generation * 1000 + advanced, items), etag };
        cache.set(n, entry);
      }
      const answer = entry;
      const send = () => {
        if (validators && req.headers['if-none-match'] === answer.etag) {
          res.writeHead(304, { etag: answer.etag }).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/rss+xml; charset=UTF-8', ...(validators ? { etag: answer.etag } : {}) });
        res.end(answer.body);
      };
      // A distant blog: the answer comes after a network's round trips, not at once.
      if (options.delayMs) setTimeout(send, options.delayMs);
      else send();
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, `127.0.0.${h + 2}`, resolve));
    const { port, address } = server.address() as AddressInfo;
    servers.push(server);
    bases.push(`http://${address}:${port}`);
  }
  for (let n = 0; n < count; n++) urls.push(`${bases[n % hosts]}/feed/${n}.xml`);
  return {
    urls,
    bump: () => {
      generation += 1;
      advanced = 0;
    },
    advance: () => {
      advanced += 1;
    },
    validators: (on) => {
      validators = on;
    },
    requests: () => requests,
    close: async () => {
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); })));
    },
  };
}
