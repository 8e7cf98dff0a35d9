// Threading benchmarks: the time to record and thread one new entry with 10k and with 1M
// entries already stored (the ratio should stay near 1: the work follows the entry's edges,
// not the database), a conversation's recount at 1,000 and 50,000 entries, bulk ingest
// throughput, and comment-feed requests per hour for 200 blogs × 50 posts under the decaying
// schedule against polling every comment feed at the interval.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { sortingOnDisk, type OpenedDatabase } from '../src/db/open.ts';
import { commentFeedWaitSeconds } from '../src/poller/schedule.ts';
import { draftEntry } from '../src/reader/entry-draft.ts';
import { itemsPerTransaction } from '../src/ingest/feed-items.ts';
import { listFeedEntries } from '../src/store/feed-items.ts';
import { recordCommentCount, recordEntry } from '../src/ingest/record-entry.ts';
import { relationsOf } from '../src/threading/relations.ts';
import { pingRecord } from '../src/threading/ping-record.ts';
import { refreshConversation } from '../src/store/conversation-union.ts';
import { bulkEntries } from './bulk-ingest.ts';
import type { BulkFigures } from './bulk-worker.ts';
import { item } from './feed-item.ts';
import { measuredWorker } from './measured-process.ts';
import { withDatabase } from './scratch-database.ts';
import type { Figure } from './poll.ts';
import { median } from './median.ts';

const execFileAsync = promisify(execFile);

// Entries per pre-filled conversation: a post and its comments.
const perConversation = 20;

/**
 * Fills a database with `n` entries in conversations of 20 (a post and 19 comments), by SQL.
 * Statements over whole tables, as a migration's: they sort on disk, or the million rows' sorts
 * would count in the peak RSS measured while the service's own statements run.
 */
async function prefill(database: OpenedDatabase, n: number): Promise<void> {
  await sortingOnDisk(database.db, () => fill(database, n));
}

/**
 * The entries of fill: a post and 19 comments each 20, in conversations of `conversationSize`;
 * each post reporting `reportedComments` (null: none reported).
 */
interface FillShape {
  conversationSize: number;
  reportedComments: number | null;
}

async function fill(database: OpenedDatabase, n: number, shape: FillShape = { conversationSize: perConversation, reportedComments: null }): Promise<void> {
  const db = database.db;
  const now = '2026-01-01T00:00:00.000Z';
  const size = shape.conversationSize;
  await sql`insert into blogs (home_url, url_key, created_at, updated_at)
    with recursive b(i) as (select 1 union all select i + 1 from b where i < 100)
    select 'http://blog' || i || '.example/', 'blog' || i || '.example', ${now}, ${now} from b`.execute(db);
  const conversations = Math.ceil(n / size);
  await sql`insert into conversations (id, entry_count, created_at, updated_at)
    with recursive c(i) as (select 1 union all select i + 1 from c where i < ${conversations})
    select i, ${size}, ${now}, ${now} from c`.execute(db);
  // Entry i is in conversation (i-1)/size+1; the first of each 20 is a post.
  await sql`insert into entries (id, blog_id, kind, identity, guid, url, url_key, title, author_name, content_html, excerpt,
      published_at, sort_at, content_hash, first_seen_at, changed_at, conversation_id, comment_count)
    with recursive e(i) as (select 1 union all select i + 1 from e where i < ${n})
    select i, (i % 100) + 1, case when (i - 1) % 20 = 0 then 'post' else 'comment' end, 'guid:x' || i, 'x' || i,
      'http://blog' || ((i % 100) + 1) || '.example/p/' || i || '/', 'blog' || ((i % 100) + 1) || '.example/p/' || i,
      'Titel ' || i, 'Autor ' || (i % 997), '<p>Text</p>', 'Text',
      ${now}, strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-01', '+' || i || ' seconds'), 'h' || i, ${now}, ${now}, ((i - 1) / cast(${size} as integer)) + 1,
      case when (i - 1) % 20 = 0 then ${shape.reportedComments} else null end from e`.execute(db);
  await sql`insert into edges (from_entry_id, type, target, to_entry_id, created_at)
    select id, 'comment-of', 'url:' || (select url_key from entries p where p.id = ((entries.id - 1) / 20) * 20 + 1), ((id - 1) / 20) * 20 + 1, ${now}
    from entries where kind = 'comment'`.execute(db);
  await sql`insert into entry_channels (entry_id, via, first_seen_at) select id, case when kind = 'post' then 'feed' else 'comment-feed' end, ${now} from entries`.execute(db);
}

/** Times recording `count` new entries: posts that link to a random stored post, and comments on them. */
async function timeNewEntries(database: OpenedDatabase, stored: number, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let k = 0; k < count; k++) {
    const target = Math.floor(Math.random() * (stored / perConversation)) * perConversation + 1;
    const targetUrl = `http://blog${(target % 100) + 1}.example/p/${target}/`;
    const url = `http://new.example/${stored}/${k}/`;
    const isComment = k % 2 === 1;
    const it = isComment
      ? item(`http://new.example/${stored}/${k - 1}/#comment-${k}`, { title: null, contentHtml: '<p>Stimmt.</p>' })
      : item(url, { contentHtml: `<p>Siehe <a href="${targetUrl}">dort</a>.</p>` });
    const draft = draftEntry(it, isComment ? 'comment' : 'post');
    const relations = relationsOf(draft, { via: isComment ? 'comment-feed' : 'feed', post: null, inReplyTo: [] });
    const started = process.hrtime.bigint();
    await database.db.transaction().execute((trx) => recordEntry(trx, { blogId: 1, draft, via: isComment ? 'comment-feed' : 'feed', relations }, new Date().toISOString()));
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times;
}

/**
 * Times recounting one conversation of `n` entries (a post and 19 comments each 20, every post
 * reporting 25 comments, by SQL): what a merge into a debate of that size, an edit or a ping
 * record moved there costs the transaction (once per part of a feed). Then the same debate's first
 * post reporting one more comment at each poll (recordCommentCount), which recounted it too until
 * the gap followed the post alone; a new post merging a small debate into it, which recounted it
 * until their counts were combined; and an edit of one of its comments, which recounted it until an
 * edit that leaves its entry's place was counted from the entry. Medians of 7, in ms.
 */
async function timeRecount(n: number): Promise<{ recount: number; countRises: number; merges: number; edits: number; pingsAgain: number; pingbacks: number; postsAfterPings: number }> {
  return withDatabase(async (database) => {
    const db = database.db;
    const now = '2026-01-01T00:00:00.000Z';
    await fill(database, n, { conversationSize: n, reportedComments: 25 });
    const timed = async (work: (k: number) => Promise<unknown>) => {
      const times: number[] = [];
      for (let k = 0; k < 7; k++) {
        const started = process.hrtime.bigint();
        await work(k);
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      return median(times);
    };
    const recount = await timed(() => db.transaction().execute((trx) => refreshConversation(trx, 1, now)));
    const countRises = await timed((k) =>
      db.transaction().execute((trx) => recordCommentCount(trx, { id: 1, kind: 'post', commentCount: 25 + k, conversationId: 1 }, 26 + k, now)),
    );
    // A new post answering the debate's first post and a post of a debate of its own elsewhere:
    // the two debates merge (their counts combined, not the merged one recounted).
    const record = (url: string, html: string) => {
      const draft = draftEntry(item(url, { contentHtml: html }), 'post');
      const relations = relationsOf(draft, { via: 'feed', post: null, inReplyTo: [] });
      return db.transaction().execute((trx) => recordEntry(trx, { blogId: 1, draft, via: 'feed', relations }, now));
    };
    for (let k = 0; k < 7; k++) await record(`http://elsewhere.example/${k}/`, '<p>Allein.</p>');
    const merges = await timed((k) => record(`http://bridge.example/${k}/`, `<p><a href="http://blog2.example/p/1/">dort</a> <a href="http://elsewhere.example/${k}/">hier</a></p>`));
    // The debate's first comment edited at each poll, as its blog's comment feed sends it again
    // with new text: its author, date and post as before.
    const edits = await timed((k) => {
      const it = item('http://blog3.example/p/2/', { guid: 'x2', title: null, authorName: 'Autor 2', publishedAt: '2020-01-01T00:00:02.000Z', contentHtml: `<p>Text, bearbeitet ${k}</p>` });
      const draft = draftEntry(it, 'comment');
      const relations = relationsOf(draft, { via: 'comment-feed', post: null, inReplyTo: [] });
      return db.transaction().execute((trx) => recordEntry(trx, { blogId: 3, draft, via: 'comment-feed', relations }, now));
    });
    // A page that pinged the debate's first post pings it again by webmention (WordPress with the
    // Webmention plugin sends both): one record with two channels, its kind another linkback.
    const ping = (k: number, protocol: 'pingback' | 'webmention') => {
      const source = `http://pinger.example/${k}/`;
      const { draft, relations } = pingRecord(
        { protocol, sourceUrl: source, targetUrl: 'http://blog2.example/p/1/' },
        { url: source, title: 'Dazu', authorName: 'Pinger', authorUrl: null, publishedAt: '2026-01-02T00:00:00.000Z', excerptHtml: '<p>Dazu</p>' },
      );
      return db.transaction().execute((trx) => recordEntry(trx, { blogId: null, draft, via: protocol, relations, targetUrl: 'http://blog2.example/p/1/' }, now));
    };
    for (let k = 0; k < 7; k++) await ping(k, 'pingback');
    const pingsAgain = await timed((k) => ping(k, 'webmention'));
    // The first post's blog shows a pingback from a post of the debate as a comment (WordPress):
    // a record of that post, which becomes a linkback and one of the first post's comments.
    const pingbacks = await timed((k) => {
      const source = `http://blog${((21 + 20 * k) % 100) + 1}.example/p/${21 + 20 * k}/`;
      const it = item(`http://blog2.example/p/1/#comment-pingback-${k}`, { title: null, authorName: 'Pingback', authorUrl: source, contentHtml: '<p>[&#8230;] dazu [&#8230;]</p>', inReplyTo: [{ ref: 'http://blog2.example/p/1/', href: 'http://blog2.example/p/1/' }] });
      const draft = draftEntry(it, 'comment');
      const relations = relationsOf(draft, { via: 'comment-feed', post: null, inReplyTo: it.inReplyTo });
      return db.transaction().execute((trx) => recordEntry(trx, { blogId: 2, draft, via: 'comment-feed', relations }, now));
    });
    // A pingback shown first, from a post Palaver has not read yet; then that post arrives and takes
    // it as its record.
    const pingbackFrom = (source: string, k: number) => {
      const it = item(`http://blog2.example/p/1/#comment-early-${k}`, { title: null, authorName: 'Früh', authorUrl: source, publishedAt: '2021-06-01T00:00:00.000Z', contentHtml: '<p>[&#8230;] dazu [&#8230;]</p>', inReplyTo: [{ ref: 'http://blog2.example/p/1/', href: 'http://blog2.example/p/1/' }] });
      const draft = draftEntry(it, 'comment');
      return db.transaction().execute((trx) => recordEntry(trx, { blogId: 2, draft, via: 'comment-feed', relations: relationsOf(draft, { via: 'comment-feed', post: null, inReplyTo: it.inReplyTo }) }, now));
    };
    for (let k = 0; k < 7; k++) await pingbackFrom(`http://later.example/${k}/`, k);
    const postsAfterPings = await timed((k) => record(`http://later.example/${k}/`, '<p><a href="http://blog2.example/p/1/">dort</a></p>'));
    return { recount, countRises, merges, edits, pingsAgain, pingbacks, postsAfterPings };
  });
}

/** Runs bench/bulk-worker.ts in a measured process and reads its figures. */
async function runBulkWorker(): Promise<BulkFigures> {
  const worker = await measuredWorker('bulk-worker.ts');
  const { stdout } = await execFileAsync(process.execPath, [...worker.execArgv, worker.file], { encoding: 'utf8', maxBuffer: 2 ** 20 });
  return JSON.parse(stdout) as BulkFigures;
}

/** Measures per-entry threading time at two database sizes, and bulk ingest throughput. */
export async function benchThreading(options: { small: number; large: number; samples: number }): Promise<Figure[]> {
  // With each size, the statement of the merged feed of everything (a cache miss of /feed.atom):
  // the newest 50 nodes, read by date.
  const mergedFeed = new Map<number, number>();
  const perEntry = async (size: number) =>
    withDatabase(async (database) => {
      await prefill(database, size);
      await timeNewEntries(database, size, 20); // warm the page cache and statements
      const times: number[] = [];
      for (let k = 0; k < 7; k++) {
        const started = process.hrtime.bigint();
        await listFeedEntries(database.db, { kind: 'all' }, 50);
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      mergedFeed.set(size, median(times));
      return median(await timeNewEntries(database, size, options.samples));
    });
  // Peak memory of this process while each database is filled and threaded into.
  const peakDuring = async (work: () => Promise<number>): Promise<{ result: number; peak: number }> => {
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const result = await work();
      return { result, peak: Math.max(peak, process.memoryUsage().rss) };
    } finally {
      clearInterval(sampler);
    }
  };
  const { result: small, peak: smallRss } = await peakDuring(() => perEntry(options.small));
  const { result: large, peak: peakRss } = await peakDuring(() => perEntry(options.large));

  // Bulk ingest in a process of its own that runs Palaver as npm start does (bulk-worker.ts).
  const { first: bulk, warm: bulkWarm, oneByOne } = await runBulkWorker();

  const recountLarge = await timeRecount(50_000);
  const recountSmall = await timeRecount(1_000);

  return [
    {
      name: `thread one new entry, ${options.large.toLocaleString('en')} stored`,
      value: large,
      baseline: small,
      unit: 'ms',
      higherIsBetter: false,
      note: `median of ${options.samples} entries (posts linking into a stored debate, comments on them); baseline: the same with ${options.small.toLocaleString('en')} stored. The ratio should stay near 1.`,
    },
    {
      name: `peak RSS with ${options.large.toLocaleString('en')} entries stored`,
      value: peakRss / 2 ** 20,
      baseline: smallRss / 2 ** 20,
      unit: 'MiB',
      higherIsBetter: false,
      note: `the benchmark process while it fills a database file of that size by SQL and threads new entries into it; baseline: the same with ${options.small.toLocaleString('en')} entries`,
    },
    {
      name: `the merged feed's newest 50, ${options.large.toLocaleString('en')} stored`,
      value: mergedFeed.get(options.large)!,
      baseline: mergedFeed.get(options.small)!,
      unit: 'ms',
      higherIsBetter: false,
      note: `listFeedEntries of everything (a cache miss of /feed.atom), median of 7; baseline: the same with ${options.small.toLocaleString('en')} stored. The ratio should stay near 1.`,
    },
    {
      name: 'bulk ingest (posts + comments, in feed parts)',
      value: bulk,
      baseline: oneByOne,
      unit: 'entries/s',
      higherIsBetter: true,
      note: `${bulkEntries.toLocaleString('en')} entries through ingestFeedItems, a post feed and a comment feed per 100 (parts of ${itemsPerTransaction}), the first of a process that runs Palaver as npm start does; baseline: the same entries recorded one by one, 100 per transaction, in that process`,
    },
    {
      name: 'recount one conversation of 50,000 entries',
      value: recountLarge.recount,
      baseline: recountSmall.recount,
      unit: 'ms',
      higherIsBetter: false,
      note: 'one statement on the event loop (SQLite), median of 7: a post and 19 comments each 20, every post reporting 25 comments; what a merge into a debate that size costs a part of a feed; baseline: a conversation of 1,000 entries',
    },
    {
      name: "a post's comment count rises, conversation of 50,000 entries",
      value: recountLarge.countRises,
      baseline: recountSmall.countRises,
      unit: 'ms',
      higherIsBetter: false,
      note: 'recordCommentCount in its own transaction, median of 7, in the recount\'s conversations above: the gap moves by the post alone (it recounted the debate before); baseline: the conversation of 1,000 entries. The ratio should stay near 1.',
    },
    {
      name: 'a new post merges a debate into one of 50,000 entries',
      value: recountLarge.merges,
      baseline: recountSmall.merges,
      unit: 'ms',
      higherIsBetter: false,
      note: "recordEntry of a post linking the large debate's first post and a one-post debate elsewhere, in its own transaction, median of 7, in the recount's conversations above: their counts combined from the smaller (a recount of the merged debate before); baseline: the conversation of 1,000 entries. The ratio should stay near 1.",
    },
    {
      name: 'a comment edited in a conversation of 50,000 entries',
      value: recountLarge.edits,
      baseline: recountSmall.edits,
      unit: 'ms',
      higherIsBetter: false,
      note: "recordEntry of the debate's first comment with new text (its author, date and post as before), in its own transaction, median of 7, in the recount's conversations above: counted from the entry (a recount of the debate before); baseline: the conversation of 1,000 entries. The ratio should stay near 1.",
    },
    {
      name: 'a ping comes again by webmention, conversation of 50,000 entries',
      value: recountLarge.pingsAgain,
      baseline: recountSmall.pingsAgain,
      unit: 'ms',
      higherIsBetter: false,
      note: "recordEntry of a webmention from a page whose pingback to the debate's first post is recorded, in its own transaction, median of 7, in the recount's conversations above: one record gains a channel (a recount of the debate before); baseline: the conversation of 1,000 entries. The ratio should stay near 1.",
    },
    {
      name: 'a pingback comment from a post of a conversation of 50,000 entries',
      value: recountLarge.pingbacks,
      baseline: recountSmall.pingbacks,
      unit: 'ms',
      higherIsBetter: false,
      note: "recordEntry of a pingback in the comment feed of the debate's first post, sent by another post of the debate, in its own transaction, median of 7, in the recount's conversations above: a record of that post, counted from the record (a recount of the debate before); baseline: the conversation of 1,000 entries. The ratio should stay near 1.",
    },
    {
      name: 'a post arrives after its pingback, conversation of 50,000 entries',
      value: recountLarge.postsAfterPings,
      baseline: recountSmall.postsAfterPings,
      unit: 'ms',
      higherIsBetter: false,
      note: "recordEntry of a post linking the debate's first post, whose pingback that post's comment feed showed first, in its own transaction, median of 7, in the recount's conversations above: the pingback becomes its record and leaves the counts (a recount of the debate before); baseline: the conversation of 1,000 entries. The ratio should stay near 1.",
    },
    {
      name: 'bulk ingest, warmed up',
      value: bulkWarm,
      baseline: bulk,
      unit: 'entries/s',
      higherIsBetter: true,
      note: `${(4 * bulkEntries).toLocaleString('en')} entries as above into a fresh database, after a run of ${bulkEntries.toLocaleString('en')} into another: the path with its code compiled and optimised; baseline: the first run above, the process's first entries through it`,
    },
  ];
}

/**
 * Counts comment-feed requests in one simulated day for `blogs` × `posts`: posts published one
 * every `spacingHours` per blog, comments arriving on young posts; against checking every
 * comment feed at the poll interval.
 */
export function benchCommentSchedule(options: { blogs: number; posts: number; spacingHours: number; intervalSeconds: number; maxQuietDays: number }): Figure[] {
  const start = Date.parse('2026-03-01T00:00:00Z');
  let requests = 0;
  let active = 0;
  for (let p = 0; p < options.posts; p++) {
    const postAt = start - p * options.spacingHours * 3_600_000;
    // A young post gets a comment every few hours during its first two days.
    const lastComment = p * options.spacingHours < 48 ? new Date(start - 3 * 3_600_000).toISOString() : null;
    let t = start;
    let polledToday = 0;
    while (t < start + 86_400_000) {
      const wait = commentFeedWaitSeconds({
        now: new Date(t),
        postAt: new Date(postAt).toISOString(),
        lastActivityAt: lastComment,
        intervalSeconds: options.intervalSeconds,
        maxQuietDays: options.maxQuietDays,
      });
      if (wait === null) break;
      polledToday += 1;
      t += wait * 1000;
    }
    if (polledToday) active += 1;
    requests += polledToday * options.blogs;
  }
  const naive = (options.blogs * options.posts * 86_400) / options.intervalSeconds;
  return [
    {
      name: `comment feeds, ${options.blogs} blogs × ${options.posts} posts: requests/hour`,
      value: requests / 24,
      baseline: naive / 24,
      unit: 'req/h',
      higherIsBetter: false,
      note: `one post every ${options.spacingHours} h per blog, poll interval ${options.intervalSeconds} s, stop after ${options.maxQuietDays} quiet days (${active} of ${options.posts} posts per blog still followed); baseline: every comment feed at the poll interval.`,
    },
  ];
}
