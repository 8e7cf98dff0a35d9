// Verifies queued pings in the background: fetches each source through the guarded fetcher,
// accepts it only when it links to its target, and threads the accepted ones. One fetch per
// source URL at a time and a few per source host, so Palaver cannot be used to flood a site.

import type { Ping } from '../domain/models.ts';
import { rejectionOf, rejectionReason, type PingOutcome, type PingRejection, type PingVerdict, type VerifiedSource } from '../domain/verification.ts';
import type { EntriesChanged, ModerationPolicy, ServiceLog } from '../domain/vocabulary.ts';
import type { Db } from '../db/open.ts';
import { createBackgroundLoop } from './background-loop.ts';
import { createVerificationQueue } from '../inbound/queue.ts';
import { createSourcePagePool } from '../inbound/source-page-pool.ts';
import { readSourcePage as readInThread, verifySource, type SourcePageReader } from '../inbound/verify-source.ts';
import type { Fetch } from '../reader/types.ts';
import { findBlogContaining } from '../store/blogs.ts';
import { transactionRetryingConflicts } from '../store/dialect.ts';
import { claimPing, claimQueuedPings, finishPing, findHostVerdict, findPing, hasAcceptedPingFromHost } from '../store/pings.ts';
import { wakeCommentSources } from '../store/sources.ts';
import { recordEntry } from '../ingest/record-entry.ts';
import { tombstoneLinkback } from '../store/conversation-union.ts';
import { pingRecord } from '../threading/ping-record.ts';

export interface PingVerifierSettings {
  /** Pings verified at once. */
  concurrency: number;
  /** What happens to endpoint pings from a host Palaver has not accepted before (see config.ts). */
  moderation: ModerationPolicy;
  /** Attempts before a source that keeps failing is given up. */
  maxAttempts: number;
  tickSeconds: number;
  /** Limits on reading one source page (bytes fetched, elements, time and memory to parse it). */
  source?: SourceLimits;
}

export interface SourceLimits {
  maxBytes: number;
  maxElements: number;
  timeoutMs: number;
  memoryMb: number;
}

export interface PingVerifierDeps {
  db: Db;
  fetch: Fetch;
  settings: PingVerifierSettings;
  log: ServiceLog;
  now?: () => Date;
  /** Told after the commit when a ping added or changed entries (WebSub publishes). */
  onEntriesChanged?: (change: EntriesChanged) => void;
  /** Reads fetched source pages; by default worker threads within settings.source. */
  readSourcePage?: SourcePageReader;
}

export interface PingVerifier {
  start(): void;
  stop(): Promise<void>;
  /** Runs a tick soon: a ping was just queued. */
  wake(): void;
  /** Verifies every due ping now and resolves when done (CLI, tests). */
  runOnce(): Promise<Record<PingOutcome, number>>;
  /**
   * Verifies one ping now, e.g. to answer a pingback within its deadline. When a background pass
   * already claimed the ping (or another ping of its source is being checked), it waits for that
   * and answers with the real outcome. `signal` ends the waiting ('retry'); a verification that
   * has started runs to its end, so a late outcome is still recorded.
   */
  verifyNow(pingId: number, signal?: AbortSignal): Promise<PingVerdict>;
}

const leaseMs = 5 * 60_000;

// How often verifyNow looks again at a ping claimed elsewhere (another process, or a background
// pass between its claim and the start of its verification).
const claimedPollMs = 25;

/** Resolves when `promise` settles or `signal` aborts, whichever is first; never rejects. */
function settledOrAborted(promise: Promise<unknown>, signal?: AbortSignal): Promise<void> {
  if (!signal) return promise.then(() => undefined, () => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done);
    promise.then(done, done);
  });
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return settledOrAborted(new Promise((resolve) => setTimeout(resolve, ms)), signal);
}

/** The verdict a stored ping records: what was decided stands (its refusal read back from the reason stored). */
function verdictOfStatus(ping: Ping | undefined): PingVerdict {
  if (!ping) return { outcome: 'rejected', rejection: 'source-unreadable', reason: 'the ping does not exist' };
  if (ping.status === 'queued') return { outcome: 'retry' };
  if (ping.status !== 'rejected') return { outcome: ping.status };
  const reason = ping.statusReason ?? rejectionReason('source-unreadable');
  return { outcome: 'rejected', rejection: rejectionOf(reason), reason };
}

/** Creates the verifier; nothing runs until start(), runOnce() or verifyNow(). */
export function createPingVerifier(deps: PingVerifierDeps): PingVerifier {
  const now = deps.now ?? (() => new Date());
  const s = deps.settings;
  // Source URLs being fetched for a verification, each settling when that verification is done.
  const inFlightSources = new Map<string, Promise<void>>();
  // Pings this process holds, from their claim until their outcome is stored: verifyNow of one of
  // them waits for that outcome instead of answering "queued" or checking the source twice.
  const held = new Map<number, Promise<void>>();

  function occupy<K>(map: Map<K, Promise<void>>, key: K): () => void {
    let release!: () => void;
    map.set(key, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      map.delete(key);
      release();
    };
  }
  const hold = (pingId: number) => occupy(held, pingId);
  const occupySource = (sourceKey: string) => occupy(inFlightSources, sourceKey);

  // Pages are parsed off the event loop, in workers with a time and memory limit.
  const pool = s.source ? createSourcePagePool({ timeoutMs: s.source.timeoutMs, memoryMb: s.source.memoryMb, workers: Math.min(2, s.concurrency) }) : null;
  const readPage: SourcePageReader = deps.readSourcePage ?? (pool ? (page) => pool.read(page) : readInThread);

  // Verifications running at once: the background batches and the pingbacks answered at once
  // share settings.concurrency slots.
  let running = 0;
  const slotWaiters: (() => void)[] = [];
  async function takeSlot(signal?: AbortSignal): Promise<(() => void) | null> {
    while (running >= s.concurrency) {
      if (signal?.aborted) return null;
      let wake!: () => void;
      const turn = new Promise<void>((resolve) => {
        wake = resolve;
        slotWaiters.push(resolve);
      });
      await settledOrAborted(turn, signal);
      const i = slotWaiters.indexOf(wake);
      if (i >= 0) slotWaiters.splice(i, 1);
    }
    running += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      running -= 1;
      slotWaiters.shift()?.();
    };
  }

  // A listener's failure is its own business: the ping is committed whatever it does.
  function changed(change: EntriesChanged): void {
    try {
      deps.onEntriesChanged?.(change);
    } catch (err) {
      deps.log.error({ err }, 'entries-changed listener failed');
    }
  }

  async function reject(db: Db, ping: Ping, rejection: PingRejection, at: string, detail?: string): Promise<PingVerdict> {
    const reason = rejectionReason(rejection, detail);
    await finishPing(db, ping.id, { status: 'rejected', reason }, at);
    return { outcome: 'rejected', rejection, reason };
  }

  async function verify(ping: Ping, signal?: AbortSignal): Promise<PingVerdict> {
    const at = now().toISOString();
    // One verification fetch per source URL at a time: a flood of pings from one page costs one fetch.
    if (inFlightSources.has(ping.sourceKey)) {
      await finishPing(deps.db, ping.id, { status: 'queued', reason: null, retryAt: new Date(now().getTime() + 30_000).toISOString() }, at);
      return { outcome: 'retry' };
    }
    const releaseSource = occupySource(ping.sourceKey);
    try {
      if ((await findHostVerdict(deps.db, ping.sourceHost)) === 'blocked') return await reject(deps.db, ping, 'blocked-host', at);
      const result = await verifySource(
        deps.fetch,
        { source: ping.sourceUrl, target: ping.targetUrl, protocol: ping.protocol, signal, ...(s.source ? { maxBytes: s.source.maxBytes, maxElements: s.source.maxElements } : {}) },
        readPage,
      );
      const done = now().toISOString();
      switch (result.status) {
        case 'verified': {
          if (s.moderation !== 'open' && ping.receivedVia === 'endpoint' && !(await mayPassModeration(ping))) {
            if (s.moderation === 'closed') return await reject(deps.db, ping, 'strangers-refused', done);
            await finishPing(deps.db, ping.id, { status: 'held', reason: 'first ping from this host: waiting for a moderator' }, done);
            return { outcome: 'held' };
          }
          await acceptPing(ping, result, done);
          return { outcome: 'accepted' };
        }
        case 'no-link': {
          const verdict = await transactionRetryingConflicts(deps.db, async (trx) => {
            // A source that no longer links takes its mention back (Webmention §3.2.3).
            if (ping.entryId !== null) await tombstoneLinkback(trx, ping.entryId, done);
            return reject(trx, ping, 'no-link', done);
          });
          if (ping.entryId !== null) changed({ entryIds: [ping.entryId], conversationIds: [], blogIds: [] });
          return verdict;
        }
        case 'gone':
          await transactionRetryingConflicts(deps.db, async (trx) => {
            if (ping.entryId !== null) await tombstoneLinkback(trx, ping.entryId, done);
            await finishPing(trx, ping.id, { status: 'gone', reason: `the source answered ${result.httpStatus}` }, done);
          });
          if (ping.entryId !== null) changed({ entryIds: [ping.entryId], conversationIds: [], blogIds: [] });
          return { outcome: 'gone' };
        case 'error': {
          const attempts = ping.attempts + 1;
          if (attempts >= s.maxAttempts || result.permanent) return await reject(deps.db, ping, 'source-unreadable', done, result.message);
          const retryAt = new Date(now().getTime() + 60_000 * 2 ** Math.max(0, attempts)).toISOString();
          await finishPing(deps.db, ping.id, { status: 'queued', reason: result.message, retryAt }, done);
          return { outcome: 'retry' };
        }
      }
    } finally {
      releaseSource();
    }
  }

  async function mayPassModeration(ping: Ping): Promise<boolean> {
    if ((await findHostVerdict(deps.db, ping.sourceHost)) === 'trusted') return true;
    if (await findBlogContaining(deps.db, ping.sourceUrl)) return true;
    return hasAcceptedPingFromHost(deps.db, ping.sourceHost);
  }

  async function acceptPing(ping: Ping, verified: VerifiedSource, at: string): Promise<void> {
    const { draft, relations } = pingRecord(
      { protocol: ping.protocol, sourceUrl: ping.sourceUrl, targetUrl: ping.targetUrl, targetEntryId: ping.targetEntryId, title: ping.title, excerpt: ping.excerpt, blogName: ping.blogName },
      verified,
    );
    const recorded = await transactionRetryingConflicts(deps.db, async (trx) => {
      const recorded = await recordEntry(trx, { blogId: null, draft, via: ping.receivedVia === 'listing' ? 'listing' : ping.protocol, relations, targetUrl: ping.targetUrl }, at);
      await finishPing(trx, ping.id, { status: 'accepted', reason: null, entryId: recorded.id }, at);
      // The target blog will show the ping as a comment soon: look sooner than its schedule says.
      if (ping.targetEntryId !== null) await wakeCommentSources(trx, ping.targetEntryId, at);
      return recorded;
    });
    if (recorded.outcome !== 'unchanged') changed({ entryIds: [recorded.id], conversationIds: [recorded.conversationId], blogIds: [] });
  }

  async function runOnce(): Promise<Record<PingOutcome, number>> {
    const counts: Record<PingOutcome, number> = { accepted: 0, rejected: 0, held: 0, gone: 0, retry: 0 };
    const batchSize = Math.max(1, s.concurrency * 2);
    // The queue decides who runs when: a few at once, fewer per source host, so a flood of pings
    // naming one site cannot make Palaver hammer it.
    const queue = createVerificationQueue<{ source: string; target: string; ping: Ping; release: () => void }>({
      capacity: batchSize,
      concurrency: s.concurrency,
      perTargetHost: Math.max(1, Math.ceil(s.concurrency / 2)),
      run: async ({ ping, release }) => {
        const slot = await takeSlot();
        try {
          counts[(await verify(ping)).outcome] += 1;
        } finally {
          slot?.();
          release();
        }
      },
      // The lease brings the ping back later; a bug must not stop the others.
      onError: (err, { ping }) => deps.log.error({ pingId: ping.id, err }, 'ping verification crashed'),
    });
    for (;;) {
      const t = now();
      const batch = await claimQueuedPings(deps.db, { now: t.toISOString(), leaseUntil: new Date(t.getTime() + leaseMs).toISOString(), limit: batchSize });
      if (batch.length === 0) break;
      for (const ping of batch) {
        const release = hold(ping.id);
        if (queue.enqueue({ source: ping.sourceUrl, target: ping.targetUrl, ping, release }) !== 'queued') release();
      }
      await queue.drain();
    }
    return counts;
  }

  const loop = createBackgroundLoop({
    intervalMs: s.tickSeconds * 1000,
    async pass() {
      const counts = await runOnce();
      if (counts.accepted + counts.rejected + counts.held + counts.gone > 0) deps.log.info(counts, 'pings verified');
    },
    onError: (err) => deps.log.error({ err }, 'ping verification tick failed'),
  });

  return {
    start: loop.start,
    async stop() {
      await loop.stop();
      await pool?.close();
    },
    wake: loop.wake,
    runOnce,
    async verifyNow(pingId, signal) {
      for (;;) {
        const holder = held.get(pingId);
        if (holder) {
          // A background pass claimed this ping first: its outcome is the answer.
          await settledOrAborted(holder, signal);
          return held.has(pingId) ? { outcome: 'retry' } : verdictOfStatus(await findPing(deps.db, pingId));
        }
        const ping = await findPing(deps.db, pingId);
        if (!ping || ping.status !== 'queued') return verdictOfStatus(ping);
        const t = now();
        // The lease keeps background passes (of any process) off the ping while it is checked here.
        if (await claimPing(deps.db, ping.id, { attempts: ping.attempts, now: t.toISOString(), leaseUntil: new Date(t.getTime() + leaseMs).toISOString() })) {
          const release = hold(ping.id);
          try {
            // Another ping of the same source is being checked: wait for it, then fetch once more.
            for (let other = inFlightSources.get(ping.sourceKey); other; other = inFlightSources.get(ping.sourceKey)) {
              await settledOrAborted(other, signal);
              if (signal?.aborted) {
                // Give the claim back: the background pass takes the ping soon.
                await finishPing(deps.db, ping.id, { status: 'queued', reason: null, retryAt: now().toISOString() }, now().toISOString());
                return { outcome: 'retry' };
              }
            }
            // The sync path counts against the same limit: with every slot busy until the
            // deadline, the ping goes back to the queue and the sender hears so.
            const slot = await takeSlot(signal);
            if (!slot) {
              await finishPing(deps.db, ping.id, { status: 'queued', reason: null, retryAt: now().toISOString() }, now().toISOString());
              return { outcome: 'retry' };
            }
            try {
              return await verify(ping);
            } finally {
              slot();
            }
          } finally {
            release();
          }
        }
        // Claimed by a pass that has not started it yet, or by another process: look again.
        if (signal?.aborted) return { outcome: 'retry' };
        await delay(claimedPollMs, signal);
        if (signal?.aborted) return { outcome: 'retry' };
      }
    },
  };
}
