// How long reading one large feed holds the event loop: a 10 ms interval's longest delay while
// a feed of about 5 MB is decoded and parsed by readFeed (the poller's path: a worker thread
// for large bodies), against the same feed read in this thread (readFeedHere) in the same run.
import type { Figure } from './poll.ts';
import { readFeed, readFeedHere } from '../src/reader/read-feed.ts';
import { median } from './median.ts';

function bigFeed(items: number): Buffer {
  const paragraph = `<p>${'Über Öffentlichkeit im Netz lässt sich trefflich streiten, und das geschieht hier. '.repeat(25)}</p>`;
  const body = Array.from({ length: items }, (_, i) =>
    `<item><title>Beitrag ${i}</title><link>http://blog.example/${i}/</link><guid>http://blog.example/?p=${i}</guid>` +
      `<pubDate>Mon, 10 Nov 2008 10:00:00 +0100</pubDate><content:encoded><![CDATA[${paragraph}]]></content:encoded></item>`,
  ).join('\n');
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Groß</title><link>http://blog.example/</link>${body}</channel></rss>`);
}

/** The longest event-loop delay while `read` runs, and how long it took. */
async function stall(read: () => Promise<unknown>): Promise<{ maxDelayMs: number; ms: number }> {
  let last = performance.now();
  let maxDelayMs = 0;
  const interval = setInterval(() => {
    const now = performance.now();
    maxDelayMs = Math.max(maxDelayMs, now - last - 10);
    last = now;
  }, 10);
  const t = performance.now();
  await read();
  const ms = performance.now() - t;
  clearInterval(interval);
  maxDelayMs = Math.max(maxDelayMs, performance.now() - last - 10);
  return { maxDelayMs: Math.max(0, maxDelayMs), ms };
}

/** The event-loop stall of reading a ~5 MB feed, off the loop against in place; the median of `runs`. */
export async function benchLargeFeed(options: { runs: number }): Promise<Figure[]> {
  const body = bigFeed(2000);
  const url = 'http://blog.example/feed/';
  const type = 'application/rss+xml; charset=UTF-8';
  // The worker starts (and compiles the parsers) on its first feed: not counted.
  await readFeed(body, type, url);
  const off: { maxDelayMs: number; ms: number }[] = [];
  const here: { maxDelayMs: number; ms: number }[] = [];
  for (let i = 0; i < options.runs; i++) {
    off.push(await stall(() => readFeed(body, type, url)));
    here.push(await stall(() => readFeedHere(body, type, url)));
  }
  return [
    {
      name: `large feed (${(body.length / 2 ** 20).toFixed(1)} MiB, 2,000 items): longest event-loop stall while it is read`,
      value: median(off.map((r) => r.maxDelayMs)),
      baseline: median(here.map((r) => r.maxDelayMs)),
      unit: 'ms',
      higherIsBetter: false,
      note: `median of ${options.runs}: readFeed (a worker thread for bodies from 128 KiB) took ${median(off.map((r) => r.ms)).toFixed(0)} ms, the same feed read in the event loop ${median(here.map((r) => r.ms)).toFixed(0)} ms. Baseline: the same feed decoded and parsed in the event loop (readFeedHere)`,
    },
  ];
}
