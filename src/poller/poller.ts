// The poller moves jobs only: it claims due sources from the store and runs refreshSource on
// them with bounded concurrency, in the background or once for the CLI. What is due, and how
// many per host, is decided by the store's claim query.
import type { Source } from '../domain/models.ts';
import type { ServiceLog, SourceKind } from '../domain/vocabulary.ts';
import type { Db } from '../db/open.ts';
import type { Fetch } from '../reader/types.ts';
import { createBackgroundLoop } from './background-loop.ts';
import { commitTogether } from '../store/commit-together.ts';
import { commitWaitingWrites } from '../store/dialect.ts';
import { noteStoredEntries } from '../store/planner-statistics.ts';
import { claimDueSources, makeSourcesDue } from '../store/source-claims.ts';
import { refreshSource } from './refresh.ts';
import type { RefreshDeps, RefreshResult, RefreshSettings } from './refresh-types.ts';

export interface PollerSettings extends RefreshSettings {
  concurrency: number;
  tickSeconds: number;
  /** Sources of one host per claim; the fetcher's per-host limit queues the rest anyway. */
  perHostLimit: number;
  /** How long a claimed source stays leased (poller.claimLeaseSeconds); 600 when not given. */
  claimLeaseSeconds?: number;
}

export interface PollerDeps {
  db: Db;
  fetch: Fetch;
  settings: PollerSettings;
  log: ServiceLog;
  now?: () => Date;
  /** Threads that read feed bodies and draft their items off the event loop (passed to refreshSource). */
  reader?: RefreshDeps['reader'];
  /** Kinds of source this poller handles. */
  kinds?: SourceKind[];
  /** Told when a listing queued pings for verification. */
  onPingsQueued?: () => void;
  /** Passed to refreshSource: entries changed (WebSub publishes). */
  onEntriesChanged?: RefreshDeps['onEntriesChanged'];
  /** Passed to refreshSource: a post feed was read with its hub links (WebSub subscribes). */
  onPostFeedRead?: RefreshDeps['onPostFeedRead'];
}

export interface PollSummary {
  polled: number;
  updated: number;
  unchanged: number;
  notModified: number;
  failed: number;
  disabled: number;
  inserted: number;
  changed: number;
  crashed: number;
  results: RefreshResult[];
}

export interface PollOnceOptions {
  /** Poll every active source once, whatever its schedule (operators after an outage, the demo, tests). */
  force?: boolean;
  onResult?: (result: RefreshResult, source: Source) => void;
  onCrash?: (source: Source, error: unknown) => void;
}

export interface Poller {
  start(): void;
  stop(): Promise<void>;
  /** Runs a tick soon (e.g. right after a blog was registered). */
  wake(): void;
  pollOnce(options?: PollOnceOptions): Promise<PollSummary>;
}

// A claimed source stays leased this long unless the settings say otherwise; if the process dies
// mid-poll, it becomes due again when the lease ends.
const defaultLeaseSeconds = 600;

/**
 * Runs claimed work `concurrency` at a time, claiming as workers come free (as many as are free)
 * rather than a batch at a time: pollers side by side share a queue evenly to its end, and no
 * worker waits for the slowest of a batch. Ends when a claim finds nothing and nothing runs (a
 * running item may make more due, such as the comment feeds of new posts); a claim passes over
 * only rows another poller's claim holds at that moment, which that poller then polls.
 *
 * A claim runs at the end of the turn in which its first worker came free, for every worker
 * free by then (`claimSome` reads `free` when it claims): polls end together (an all-304
 * re-poll's records commit together, commit-together.ts), so one claim serves them all instead
 * of one claim each. The poller's claim commits with the records of that turn.
 */
async function runClaimed<T>(concurrency: number, claimSome: (free: () => number) => Promise<T[]>, work: (item: T) => Promise<void>): Promise<void> {
  const queue: T[] = [];
  let busy = 0;
  let done = false;
  let claiming: Promise<number> | null = null;
  // Resolved whenever an item ends: an idle worker waits for that before claiming again.
  let finished = deferred();
  const refill = () =>
    (claiming ??= claimSome(() => Math.max(1, concurrency - busy - queue.length))
      .then((batch) => {
        queue.push(...batch);
        return batch.length;
      })
      .finally(() => {
        claiming = null;
      }));
  const worker = async () => {
    while (!done) {
      const item = queue.shift();
      if (item !== undefined) {
        busy += 1;
        try {
          await work(item);
        } finally {
          busy -= 1;
          finished.resolve();
          finished = deferred();
        }
        continue;
      }
      if ((await refill()) > 0 || queue.length > 0) continue;
      if (busy === 0) {
        done = true;
        finished.resolve();
        return;
      }
      await finished.promise;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function emptySummary(): PollSummary {
  return { polled: 0, updated: 0, unchanged: 0, notModified: 0, failed: 0, disabled: 0, inserted: 0, changed: 0, crashed: 0, results: [] };
}

function addToSummary(summary: PollSummary, r: RefreshResult): void {
  summary.polled += 1;
  summary.inserted += r.inserted;
  summary.changed += r.updated;
  summary.results.push(r);
  if (r.outcome === 'updated') summary.updated += 1;
  else if (r.outcome === 'unchanged') summary.unchanged += 1;
  else if (r.outcome === 'not-modified') summary.notModified += 1;
  else if (r.outcome === 'failed') summary.failed += 1;
  else summary.disabled += 1;
}

/** Creates a poller over the store and the fetcher; nothing runs until start() or pollOnce(). */
export function createPoller(deps: PollerDeps): Poller {
  const now = deps.now ?? (() => new Date());
  const s = deps.settings;
  const kinds = deps.kinds ?? ['feed', 'site-comments', 'post-comments', 'pingback-listing', 'trackback-listing'];

  async function pollSource(source: Source, summary: PollSummary, options: PollOnceOptions): Promise<void> {
    try {
      const r = await refreshSource(
        { db: deps.db, fetch: deps.fetch, settings: s, now, reader: deps.reader, onPingsQueued: deps.onPingsQueued, onEntriesChanged: deps.onEntriesChanged, onPostFeedRead: deps.onPostFeedRead },
        source,
      );
      addToSummary(summary, r);
      // A first import into an empty PostgreSQL database: its statements are planned again as it fills.
      if (r.inserted > 0) {
        await noteStoredEntries(deps.db, r.inserted).catch((err: unknown) => deps.log.warn({ err }, 'planner statistics not taken'));
      }
      if (r.outcome === 'failed' || r.outcome === 'disabled') {
        deps.log.warn({ sourceId: source.id, blogId: source.blogId, url: source.url, status: r.status, error: r.error }, 'poll failed');
      }
      options.onResult?.(r, source);
    } catch (err) {
      // Not the blog's fault (the database, a bug): the lease makes the source due again later.
      summary.crashed += 1;
      deps.log.error({ sourceId: source.id, url: source.url, err }, 'poll crashed');
      options.onCrash?.(source, err);
    }
  }

  // At the end of the turn, in the transaction of the turn's other small writes (the records of
  // the polls that just ended): an all-304 re-poll claims a source or two at a time, and a claim
  // committed on its own cost as much again as its statement.
  // A run (pollOnce) claims each source once: those it polled are not checked since it began.
  function claim(runStartedAt: string | undefined, free: () => number): Promise<Source[]> {
    return commitTogether(deps.db, (db) => {
      const t = now();
      return claimDueSources(db, {
        now: t.toISOString(),
        limit: free(),
        perHostLimit: s.perHostLimit,
        leaseUntil: new Date(t.getTime() + (s.claimLeaseSeconds ?? defaultLeaseSeconds) * 1000).toISOString(),
        ...(runStartedAt !== undefined ? { notCheckedSince: runStartedAt } : {}),
        kinds,
      });
    });
  }

  async function pollOnce(options: PollOnceOptions = {}): Promise<PollSummary> {
    const summary = emptySummary();
    const runStartedAt = now().toISOString();
    // Forced: every source is due from the run's start, and claimed as the schedule claims.
    if (options.force) await makeSourcesDue(deps.db, { at: runStartedAt, kinds });
    const seen = new Set<number>();
    await runClaimed(s.concurrency, async (free) => {
      const batch = (await claim(runStartedAt, free)).filter((src) => !seen.has(src.id));
      for (const src of batch) seen.add(src.id);
      return batch;
    }, (src) => pollSource(src, summary, options));
    // What the polls stored is on disk when the summary says so (their commits may have waited).
    await commitWaitingWrites(deps.db);
    return summary;
  }

  // Set while stop() waits for the pass: the workers finish what they hold and claim no more.
  let stopping = false;
  const loop = createBackgroundLoop({
    intervalMs: s.tickSeconds * 1000,
    // Claims as workers come free, as pollOnce does, until nothing is due: a pass never holds
    // leases on sources it cannot start yet, which other pollers with free workers could poll.
    async pass() {
      const summary = emptySummary();
      await runClaimed(s.concurrency, async (free) => (stopping ? [] : await claim(undefined, free)), (src) => pollSource(src, summary, {}));
      await commitWaitingWrites(deps.db);
      if (summary.polled > 0) {
        deps.log.info({ polled: summary.polled, inserted: summary.inserted, failed: summary.failed + summary.disabled }, 'poll tick');
      }
    },
    onError: (err) => deps.log.error({ err }, 'poll tick failed'),
  });

  return {
    start() {
      stopping = false;
      loop.start();
    },
    async stop() {
      stopping = true;
      await loop.stop();
    },
    wake: loop.wake,
    pollOnce,
  };
}
