// Palaver as a WebSub subscriber (W3C WebSub §5–7): subscribes to the hub a blog's post feed
// declares, with a callback and secret per subscription, answers the hub's verification,
// renews before the lease ends, ingests signed pushes through the poll's own path, and
// unsubscribes when the blog or the hub goes. Only with an explicit PUBLIC_URL.
import type { Source } from '../domain/models.ts';
import type { EntriesChanged, ServiceLog } from '../domain/vocabulary.ts';
import { createBackgroundLoop } from '../poller/background-loop.ts';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/open.ts';
import { ingestPushedFeed } from '../poller/refresh.ts';
import { readFeed, type FeedReader } from '../reader/read-feed.ts';
import { FetchError, type Fetch, type ParsedFeed } from '../reader/types.ts';
import { findSourceById, updateSourcePushedUntil } from '../store/sources.ts';
import {
  claimDueFeedSubscriptions,
  deleteFeedSubscription,
  findFeedSubscription,
  insertFeedSubscription,
  listFeedSubscriptionsBySource,
  markOrphanFeedSubscriptions,
  updateFeedSubscription,
  type FeedSubscription,
} from '../store/websub-subscriptions.ts';

export interface SubscriberSettings {
  /** Palaver's public base URL; callbacks hang under it. */
  publicUrl: string;
  /** Subscriptions are made only when PUBLIC_URL was set explicitly: hubs must reach it. */
  enabled: boolean;
  /** The lease Palaver asks hubs for. */
  leaseSeconds: number;
  tickSeconds: number;
}

export interface SubscriberDeps {
  db: Db;
  fetch: Fetch;
  settings: SubscriberSettings;
  log: ServiceLog;
  onEntriesChanged?: (change: EntriesChanged) => void;
  now?: () => Date;
  /** Where a pushed feed of 128 KiB or more is read, off the event loop; the process's shared reading thread when not given. */
  reader?: Pick<FeedReader, 'read'>;
}

export interface VerificationQuery {
  mode?: string;
  topic?: string;
  challenge?: string;
  leaseSeconds?: string;
  reason?: string;
}

export interface PushedContent {
  body: Buffer;
  contentType: string | null;
  signature: string | null;
}

export type PushOutcome = 'ingested' | 'ignored' | 'gone';

export interface Subscriber {
  /** Compares the hub a post feed declares with the subscriptions and plans the difference. */
  noteFeedHubs(source: Source, feed: Pick<ParsedFeed, 'hubUrls' | 'selfUrl'>): Promise<void>;
  /** Answers a hub's verification GET: the challenge to echo, or null for 404 (§5.3.1). */
  answerVerification(subscriptionId: number, query: VerificationQuery): Promise<string | null>;
  /** Takes a content distribution POST (§7): verified, then ingested like a poll. */
  receive(subscriptionId: number, content: PushedContent): Promise<PushOutcome>;
  /** Sends the subscribe, renew and unsubscribe requests that are due; resolves when done. */
  runOnce(): Promise<{ requested: number; failed: number }>;
  start(): void;
  stop(): Promise<void>;
  wake(): void;
}

const hmacAlgorithms: Record<string, string> = { sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };
// A hub that took the request but never verified it is asked again after this long.
const verifyWaitSeconds = 3600;
const leaseMs = 5 * 60_000;
// An unsubscription the hub never confirms is dropped after this many requests: its pushes
// meet 410 Gone from then on, which ends it too (§7).
const maxUnsubscribeAttempts = 3;

/** Checks an X-Hub-Signature header (`method=hex`) against the body; unknown methods fail. */
export function checkSignature(secret: string, body: Buffer, header: string | null): boolean {
  if (!header) return false;
  const m = /^\s*(sha1|sha256|sha384|sha512)=([0-9a-f]+)\s*$/i.exec(header);
  if (!m) return false;
  const expected = createHmac(hmacAlgorithms[m[1]!.toLowerCase()]!, secret).update(body).digest();
  const given = Buffer.from(m[2]!.toLowerCase(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The callback URL of one subscription. */
export function callbackUrl(publicUrl: string, subscriptionId: number): string {
  return `${publicUrl}/websub/callback/${subscriptionId}`;
}

function retryDelaySeconds(attempt: number): number {
  return Math.min(300 * 2 ** Math.max(0, attempt - 1), 24 * 3600);
}

// §5.1 leaves renewal to the subscriber: ask again a tenth of the lease (at most a day) early.
function renewAt(expiresAt: Date, leaseSeconds: number): Date {
  const margin = Math.min(Math.max(leaseSeconds * 0.1, 30), 24 * 3600);
  return new Date(expiresAt.getTime() - margin * 1000);
}

/** Creates the subscriber; nothing is requested until start() or runOnce(). */
export function createSubscriber(deps: SubscriberDeps): Subscriber {
  const s = deps.settings;
  const now = deps.now ?? (() => new Date());

  async function noteFeedHubs(source: Source, feed: Pick<ParsedFeed, 'hubUrls' | 'selfUrl'>): Promise<void> {
    if (source.kind !== 'feed') return;
    const at = now().toISOString();
    const existing = (await listFeedSubscriptionsBySource(deps.db, source.id)).filter((sub) => sub.wanted);
    // §4: subscribe with the feed's rel=self as topic, at one of its hubs.
    const hub = feed.selfUrl ? feed.hubUrls.find((h) => /^https?:\/\//i.test(h)) : undefined;
    const target = s.enabled && hub && feed.selfUrl ? { hubUrl: hub, topicUrl: feed.selfUrl } : null;
    // A subscription at any hub the feed still declares, for the same topic, stays.
    const kept = target ? existing.find((sub) => feed.hubUrls.includes(sub.hubUrl) && sub.topicUrl === target.topicUrl) : undefined;
    let changed = false;
    for (const sub of existing) {
      if (sub === kept) continue;
      await updateFeedSubscription(deps.db, sub.id, { wanted: false, dueAt: at, attempts: 0 }, at);
      changed = true;
    }
    if (changed && !kept) await updateSourcePushedUntil(deps.db, source.id, null, at);
    if (target && !kept) {
      const secret = randomBytes(32).toString('hex');
      await insertFeedSubscription(deps.db, { sourceId: source.id, hubUrl: target.hubUrl, topicUrl: target.topicUrl, secret }, at);
      changed = true;
    }
    if (changed) wake();
  }

  async function answerVerification(id: number, q: VerificationQuery): Promise<string | null> {
    const sub = await findFeedSubscription(deps.db, id);
    if (!sub || q.topic !== sub.topicUrl) return null;
    const at = now();
    if (q.mode === 'denied') {
      // §5.2: the hub refused (or later cancelled) the subscription; ask again much later.
      await updateFeedSubscription(
        deps.db,
        sub.id,
        { pendingMode: null, expiresAt: null, lastError: `the hub denied the subscription${q.reason ? `: ${q.reason.slice(0, 200)}` : ''}`, dueAt: new Date(at.getTime() + 86_400_000).toISOString() },
        at.toISOString(),
      );
      if (sub.sourceId !== null) await updateSourcePushedUntil(deps.db, sub.sourceId, null, at.toISOString());
      return '';
    }
    // §5.3.1: confirm only what Palaver asked for; anything else is someone else's request.
    if (!q.challenge || q.mode !== sub.pendingMode) return null;
    if (q.mode === 'unsubscribe') {
      if (sub.wanted) return null;
      await deleteFeedSubscription(deps.db, sub.id);
      deps.log.info({ subscriptionId: sub.id, topic: sub.topicUrl }, 'websub unsubscribed');
      return q.challenge;
    }
    if (!sub.wanted) return null;
    const asked = q.leaseSeconds && /^\d{1,10}$/.test(q.leaseSeconds) ? Number(q.leaseSeconds) : null;
    const lease = asked && asked > 0 ? asked : s.leaseSeconds;
    const expiresAt = new Date(at.getTime() + lease * 1000);
    await updateFeedSubscription(
      deps.db,
      sub.id,
      {
        pendingMode: null,
        leaseSeconds: lease,
        expiresAt: expiresAt.toISOString(),
        verifiedAt: at.toISOString(),
        attempts: 0,
        lastError: null,
        dueAt: renewAt(expiresAt, lease).toISOString(),
      },
      at.toISOString(),
    );
    if (sub.sourceId !== null) await updateSourcePushedUntil(deps.db, sub.sourceId, expiresAt.toISOString(), at.toISOString());
    deps.log.info({ subscriptionId: sub.id, topic: sub.topicUrl, leaseSeconds: lease }, 'websub subscription verified');
    return q.challenge;
  }

  async function receive(id: number, content: PushedContent): Promise<PushOutcome> {
    const sub = await findFeedSubscription(deps.db, id);
    if (!sub || !sub.wanted || sub.sourceId === null) return 'gone';
    // §7.1: a push whose signature does not match is acknowledged but not believed.
    if (!checkSignature(sub.secret, content.body, content.signature)) {
      deps.log.warn({ subscriptionId: sub.id, topic: sub.topicUrl }, 'websub push with a bad or missing signature ignored');
      return 'ignored';
    }
    const source = await findSourceById(deps.db, sub.sourceId);
    if (!source) return 'gone';
    const at = now().toISOString();
    let feed: ParsedFeed;
    try {
      // The hub is the blog's choice, so what it pushes is as foreign as a fetched feed, and read the same way.
      feed = await readFeed(content.body, content.contentType, source.url, deps.reader);
    } catch (err) {
      await updateFeedSubscription(deps.db, sub.id, { lastError: `a pushed feed could not be read: ${(err as Error).message}` }, at);
      return 'ignored';
    }
    const result = await ingestPushedFeed({ db: deps.db, fetch: deps.fetch, now, onEntriesChanged: deps.onEntriesChanged }, source, feed);
    await updateFeedSubscription(deps.db, sub.id, { lastPushAt: at }, at);
    deps.log.info({ subscriptionId: sub.id, sourceId: source.id, inserted: result.inserted, updated: result.updated }, 'websub push ingested');
    return 'ingested';
  }

  // §5.1: subscribe and unsubscribe are form POSTs to the hub; the hub verifies by GET.
  async function sendRequest(sub: FeedSubscription): Promise<boolean> {
    const mode = sub.wanted ? 'subscribe' : 'unsubscribe';
    const at = now();
    if (!sub.wanted && sub.attempts >= maxUnsubscribeAttempts) {
      await deleteFeedSubscription(deps.db, sub.id);
      return true;
    }
    const attempts = sub.attempts + 1;
    // The hub may verify before it answers: the pending mode is recorded first.
    await updateFeedSubscription(deps.db, sub.id, { pendingMode: mode, attempts }, at.toISOString());
    const form = new URLSearchParams({ 'hub.mode': mode, 'hub.topic': sub.topicUrl, 'hub.callback': callbackUrl(s.publicUrl, sub.id) });
    if (mode === 'subscribe') {
      form.set('hub.secret', sub.secret);
      form.set('hub.lease_seconds', String(s.leaseSeconds));
    }
    let error: string | null = null;
    try {
      const res = await deps.fetch({ url: sub.hubUrl, method: 'POST', body: form.toString(), contentType: 'application/x-www-form-urlencoded', maxBytes: 64 * 1024 });
      if (res.status < 200 || res.status >= 300) error = `the hub answered ${res.status}`;
    } catch (err) {
      error = `the hub could not be reached: ${err instanceof FetchError ? err.message : String(err)}`;
    }
    const later = now();
    const current = await findFeedSubscription(deps.db, sub.id);
    if (!current) return error === null;
    if (error === null) {
      // Verified already (a hub that verifies at once) or waiting for the hub's GET.
      if (current.pendingMode === mode) {
        await updateFeedSubscription(deps.db, sub.id, { dueAt: new Date(later.getTime() + verifyWaitSeconds * 1000).toISOString() }, later.toISOString());
      }
      return true;
    }
    deps.log.warn({ subscriptionId: sub.id, hub: sub.hubUrl, mode, error }, 'websub request failed');
    await updateFeedSubscription(
      deps.db,
      sub.id,
      { pendingMode: null, lastError: error, dueAt: new Date(later.getTime() + retryDelaySeconds(attempts) * 1000).toISOString() },
      later.toISOString(),
    );
    return false;
  }

  async function runOnce(): Promise<{ requested: number; failed: number }> {
    const counts = { requested: 0, failed: 0 };
    const at = now();
    if ((await markOrphanFeedSubscriptions(deps.db, at.toISOString())) > 0) deps.log.info({}, 'websub subscriptions of removed feeds to be undone');
    for (;;) {
      const t = now();
      const batch = await claimDueFeedSubscriptions(deps.db, { now: t.toISOString(), leaseUntil: new Date(t.getTime() + leaseMs).toISOString(), limit: 16 });
      if (batch.length === 0) break;
      for (const sub of batch) {
        if (!sub.wanted && sub.sourceId !== null) await updateSourcePushedUntil(deps.db, sub.sourceId, null, t.toISOString());
        if (await sendRequest(sub)) counts.requested += 1;
        else counts.failed += 1;
      }
    }
    return counts;
  }

  const loop = createBackgroundLoop({
    intervalMs: s.tickSeconds * 1000,
    async pass() {
      await runOnce();
    },
    onError: (err) => deps.log.error({ err }, 'websub subscriber tick failed'),
  });
  const wake = loop.wake;

  return {
    noteFeedHubs,
    answerVerification,
    receive,
    runOnce,
    start: loop.start,
    stop: loop.stop,
    wake,
  };
}
