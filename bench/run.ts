// `npm run bench`: runs every benchmark and prints one table: each figure, its baseline
// measured in the same run, and the ratio; with the machine and versions it ran on.
import os from 'node:os';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { benchPolling, type Figure } from './poll.ts';
import { benchPollers } from './pollers.ts';
import { benchFeeds } from './feeds.ts';
import { benchHostile } from './hostile.ts';
import { benchLargeFeed } from './large-feed.ts';
import { benchLoad } from './load.ts';
import { benchPings } from './pings.ts';
import { benchPages, benchPaging } from './pages.ts';
import { benchSearch } from './search.ts';
import { benchGroups } from './groups.ts';
import { benchStartup } from './startup.ts';
import { benchDebateMap } from './debate-map.ts';
import { benchCommentSchedule, benchThreading } from './threading.ts';
import { benchWordPressIngest, benchWordPressPages } from './wordpress.ts';
import { median } from './median.ts';

const { values } = parseArgs({
  options: {
    feeds: { type: 'string', default: process.env.BENCH_FEEDS ?? '2000' },
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '3' },
    'large-db': { type: 'string', default: process.env.BENCH_LARGE_DB ?? '1000000' },
    only: { type: 'string', default: process.env.BENCH_ONLY ?? '' },
    repeat: { type: 'string', default: process.env.BENCH_REPEAT ?? '1' },
    'wp-feeds': { type: 'string', default: process.env.BENCH_WP_FEEDS ?? '200,1000' },
  },
});

const sqliteVersion = (new Database(':memory:').prepare('select sqlite_version() as v').get() as { v: string }).v;

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

// Read from node_modules: not every package exports its package.json.
const versions = ['fastify', 'better-sqlite3', 'kysely', 'undici', 'sanitize-html']
  .map((name) => `${name} ${(JSON.parse(fs.readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version}`)
  .join(', ');
console.log(`Palaver benchmarks on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`);
console.log(`Versions: ${versions}, SQLite ${sqliteVersion}`);
const wanted = (name: string) => !values.only || values.only.split(',').includes(name);
const repeat = Math.max(1, Number(values.repeat));

async function runAll(): Promise<Figure[]> {
  const figures: Figure[] = [];
  if (wanted('poll')) {
    console.log('Running: polling …');
    figures.push(...(await benchPolling({ feeds: Number(values.feeds), runs: Number(values.runs), concurrency: 16, hosts: 8 })));
  }
  const wpSizes = values['wp-feeds'].split(',').map(Number).filter((n) => n > 0);
  if (wanted('wordpress')) {
    console.log(`Running: WordPress feeds, ${wpSizes.join(' and ')} …`);
    figures.push(...(await benchWordPressIngest({ sizes: wpSizes, perHost: 8 })));
  }
  if (wanted('wordpress-pages')) {
    console.log('Running: conversation pages during a WordPress cold ingest …');
    figures.push(...(await benchWordPressPages({ feeds: Math.max(...wpSizes), perHost: 8, rate: 20, idleSeconds: 15 })));
  }
  if (wanted('large-feed')) {
    console.log('Running: a large feed read off the event loop …');
    figures.push(...(await benchLargeFeed({ runs: 5 })));
  }
  if (wanted('startup')) {
    console.log('Running: palaver --help …');
    figures.push(...benchStartup({ runs: 7 }));
  }
  if (wanted('pollers')) {
    console.log('Running: several pollers on PostgreSQL …');
    // The latency-bound case polls few feeds at once per poller, so that one poller waits on
    // the fixture rather than on the CPU (bench/README.md).
    const latencyConcurrency = Number(process.env.BENCH_POLLERS_LATENCY_CONCURRENCY ?? '1');
    figures.push(
      ...(await benchPollers({
        feeds: Number(process.env.BENCH_POLLERS_FEEDS ?? '400'),
        hosts: 16,
        perHost: 4,
        latencies: [{ delayMs: 0, concurrency: 16 }, { delayMs: 100, concurrency: latencyConcurrency }],
        warmupFeeds: Number(process.env.BENCH_POLLERS_WARMUP ?? '40'),
        rounds: Math.max(1, Math.floor(Number(process.env.BENCH_POLLERS_ROUNDS ?? '1')) || 1),
      })),
    );
  }
  if (wanted('threading')) {
    console.log('Running: threading …');
    figures.push(...(await benchThreading({ small: 10_000, large: Number(values['large-db']), samples: 200 })));
    figures.push(...benchCommentSchedule({ blogs: 200, posts: 50, spacingHours: 72, intervalSeconds: 1800, maxQuietDays: 60 }));
  }

  if (wanted('pings')) {
    console.log('Running: pings …');
    figures.push(...(await benchPings({ requests: 2000, concurrency: 32, verifications: 500 })));
  }
  if (wanted('pages')) {
    console.log('Running: pages …');
    figures.push(...(await benchPages({ entries: 500, concurrency: 16, seconds: Number(process.env.BENCH_PAGE_SECONDS ?? '3'), rate: 50 })));
    figures.push(...(await benchPaging({ entries: 10_000 })));
  }

  if (wanted('groups')) {
    console.log('Running: groups …');
    figures.push(...(await benchGroups({ perBlog: Number(process.env.BENCH_GROUP_POSTS ?? '1100'), requests: 25 })));
  }

  if (wanted('search')) {
    console.log('Running: search …');
    figures.push(...(await benchSearch({ entries: Number(process.env.BENCH_SEARCH_ENTRIES ?? '200000'), runs: 3 })));
  }

  if (wanted('debate-map')) {
    console.log('Running: debate map …');
    figures.push(...(await benchDebateMap({ entries: 500, samples: 25 })));
  }

  if (wanted('feeds')) {
    console.log('Running: feeds …');
    figures.push(...(await benchFeeds({ entries: 500, concurrency: 16, seconds: 5 })));
  }

  if (wanted('load')) {
    console.log('Running: mixed load …');
    figures.push(...(await benchLoad({ feeds: 200, seconds: 20, concurrency: 16 })));
  }

  // Beside the mixed load: how /health fares while the service is attacked.
  if (wanted('hostile')) {
    console.log('Running: hostile cases …');
    figures.push(...(await benchHostile({ seconds: Number(process.env.BENCH_HOSTILE_SECONDS ?? '10') })));
  }

  // Not in a default run (it adds a minute or more, and its figures are memory): --only poll-10k.
  if (values.only.split(',').includes('poll-10k')) {
    console.log('Running: polling 10,000 feeds …');
    const tenK = await benchPolling({ feeds: 10_000, runs: 1, concurrency: 16, hosts: 8 });
    figures.push(...tenK.filter((f) => f.unit === 'MiB').map((f) => ({ ...f, name: f.name.replace('poll,', 'poll 10,000 feeds,') })));
  }
  return figures;
}

// Several runs: each figure and its baseline are the medians over the runs.
const runs: Figure[][] = [];
for (let r = 0; r < repeat; r++) {
  if (repeat > 1) console.log(`Run ${r + 1} of ${repeat}`);
  runs.push(await runAll());
}
const figures: Figure[] = runs[0]!.map((first) => {
  const same = runs.map((run) => run.find((f) => f.name === first.name)).filter((f): f is Figure => f !== undefined);
  const baselines = same.map((f) => f.baseline).filter((b): b is number => b !== null);
  return {
    ...first,
    value: median(same.map((f) => f.value)),
    baseline: baselines.length ? median(baselines) : null,
    note: first.note && repeat > 1 ? `${first.note}; median of ${repeat} runs` : first.note,
  };
});

const rows = figures.map((f) => {
  const ratio = f.baseline ? f.value / f.baseline : null;
  return [f.name, `${fmt(f.value)} ${f.unit}`, f.baseline === null ? '—' : `${fmt(f.baseline)} ${f.unit}`, ratio === null ? '—' : `${ratio.toFixed(2)}×`];
});
const header = ['figure', 'Palaver', 'baseline', 'ratio'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log();
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
console.log();
for (const f of figures) if (f.note) console.log(`${f.name}: ${f.note}`);
if (wanted('pages')) console.log('Baselines: pages = a bare Fastify route sending the same bytes from memory (the ratio is what rendering, caching, validators, helmet and the hooks cost).');
if (wanted('poll')) console.log('Baselines: polling = undici GET of the same URLs at the same concurrency, body read and dropped (the ratio is Palaver\'s own overhead: decode, parse, sanitize, store).');
if (wanted('wordpress')) console.log('Baselines: WordPress = undici GET of the same URLs on the same host with the same per-host limit; CPU per item is what fetching alone costs.');
if (wanted('wordpress-pages')) console.log('Baselines: WordPress pages = the same conversation page requests once the service is idle.');
