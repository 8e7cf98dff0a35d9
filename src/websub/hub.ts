// Palaver as a WebSub publisher: its own small hub for its feeds (W3C WebSub §5–7): requests
// recorded, intent verified by a GET to the callback, leases, and the full feed delivered
// signed when a topic changes, retried with backoff. Or, with an external hub configured,
// only a publish ping to that hub. All HTTP goes out through the guarded fetcher.
import type { EntriesChanged, ServiceLog, WebsubMode } from '../domain/vocabulary.ts';
import { feedUrlsOf, parseFeedUrl } from '../feeds/feed-urls.ts';
import { renderFeedAt, type RenderedFeed } from '../feeds/render.ts';
import { createBackgroundLoop } from '../poller/background-loop.ts';
import { createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Db } from '../db/open.ts';

import { FetchError, type Fetch } from '../reader/types.ts';
import {
  claimDueDeliveries,
  claimSubscriberVerifications,
  confirmSubscriberRequest,
  deleteExpiredHubSubscribers,
  finishDelivery,
  markDeliveriesDue,
  rejectSubscriberRequest,
  upsertSubscriberRequest,
  type DeliveryOutcome,
  type HubSubscriber,
} from '../store/websub-hub.ts';
import { existsFeedScope, listEntryScopes } from '../store/feed-items.ts';
import { listGroupSlugsOfConversations } from '../store/group-conversations.ts';
import { findGroupBySlug } from '../store/groups.ts';

/** The longest hub.callback accepted, in characters. */
export const maxCallbackLength = 2048;

export interface HubSettings {
  /** Palaver's public base URL: topics are its feed URLs. */
  publicUrl: string;
  /** An external hub to ping instead of running Palaver's own; null runs the own hub. */
  externalHubUrl: string | null;
  leaseSeconds: number;
  maxLeaseSeconds: number;
  deliveryAttempts: number;
  tickSeconds: number;
  /** Items per delivered feed (feeds.maxItems), as the feed routes serve them. */
  maxItems: number;
  /** Deliveries and verifications in flight at once. */
  concurrency?: number;
}

export interface HubDeps {
  db: Db;
  fetch: Fetch;
  settings: HubSettings;
  log: ServiceLog;
  now?: () => Date;
  /** Told when verifications or deliveries fell due here, so hubs of other processes wake too. */
  onWork?: () => void;
}

export interface HubRequest {
  mode: string | undefined;
  topic: string | undefined;
  callback: string | undefined;
  leaseSeconds: string | undefined;
  secret: string | undefined;
}

export type HubRequestResult = { ok: true } | { ok: false; message: string };

export interface Hub {
  /** Palaver's hub URL as advertised in feeds (the external one when configured). */
  readonly url: string;
  /** Checks and records a subscription request (§5.1); verification follows asynchronously. */
  request(request: HubRequest): Promise<HubRequestResult>;
  /**
   * Marks the topics touched by committed entries for delivery (or pings the external hub).
   * Never rejects; the returned promise lets tests wait for it.
   */
  notify(change: EntriesChanged): Promise<void>;
  start(): void;
  stop(): Promise<void>;
  wake(): void;
  /** Verifies and delivers everything due now; resolves when done (tests, CLI). */
  runOnce(): Promise<{ verified: number; refused: number; delivered: number; failed: number }>;
}

/** The hub Palaver's feeds advertise: the external one, Palaver's own, or null with WebSub off. */
export function advertisedHubUrl(config: Pick<Config, 'publicUrl' | 'websub'>): string | null {
  if (!config.websub.enabled) return null;
  return config.websub.hubUrl ?? `${config.publicUrl}/websub`;
}

/** Signs a delivery body as X-Hub-Signature wants it (WebSub §7.1): `sha256=<hex>`. */
export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

// WebSub §5.1: hub.secret "MUST be less than 200 bytes in length".
const maxSecretBytes = 199;
const minLeaseSeconds = 60;
const leaseMs = 5 * 60_000;
// Callbacks answer a verification or a delivery with little; more is not read.
const maxAnswerBytes = 64 * 1024;

function appendQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.append(k, v);
  return u.href;
}

function describeFailure(err: unknown): string {
  return err instanceof FetchError ? err.message : String(err);
}

/** Creates the hub; nothing runs until start(), runOnce() or a request. */
export function createHub(deps: HubDeps): Hub {
  const s = deps.settings;
  const now = deps.now ?? (() => new Date());
  const concurrency = s.concurrency ?? 4;
  const url = s.externalHubUrl ?? `${s.publicUrl}/websub`;
  const background = new Set<Promise<unknown>>();

  function track(p: Promise<unknown>): void {
    background.add(p);
    void p.finally(() => background.delete(p));
  }

  async function request(r: HubRequest): Promise<HubRequestResult> {
    if (s.externalHubUrl) return { ok: false, message: `Palaver's feeds are published through ${s.externalHubUrl}.` };
    if (r.mode !== 'subscribe' && r.mode !== 'unsubscribe') {
      return { ok: false, message: r.mode === 'publish' ? 'This hub publishes only Palaver’s own feeds.' : 'hub.mode must be subscribe or unsubscribe.' };
    }
    // Longer URLs are no one's callback (browsers and servers cap near 2,000); storing them would
    // only let a subscriber fill the table.
    if ((r.callback ?? '').length > maxCallbackLength) return { ok: false, message: `hub.callback must be at most ${maxCallbackLength} characters.` };
    let callback: URL;
    try {
      callback = new URL(r.callback ?? '');
    } catch {
      return { ok: false, message: 'hub.callback must be an absolute URL.' };
    }
    if (callback.protocol !== 'http:' && callback.protocol !== 'https:') return { ok: false, message: 'hub.callback must be an http or https URL.' };
    if (callback.username || callback.password) return { ok: false, message: 'hub.callback must not carry credentials.' };
    const topic = r.topic ?? '';
    const parsed = parseFeedUrl(s.publicUrl, topic);
    if (!parsed) return { ok: false, message: `hub.topic must be one of Palaver's feeds under ${s.publicUrl}.` };
    const { scope } = parsed;
    const exists = scope.kind === 'all' || (scope.kind === 'group' ? (await findGroupBySlug(deps.db, scope.slug)) !== undefined : await existsFeedScope(deps.db, scope.kind, scope.id));
    if (!exists) {
      return { ok: false, message: 'hub.topic names a feed that does not exist.' };
    }
    const secret = r.secret === undefined || r.secret === '' ? null : r.secret;
    if (secret !== null && Buffer.byteLength(secret, 'utf8') > maxSecretBytes) return { ok: false, message: 'hub.secret must be less than 200 bytes.' };
    let lease = s.leaseSeconds;
    if (r.leaseSeconds !== undefined && r.leaseSeconds !== '') {
      if (!/^\d{1,10}$/.test(r.leaseSeconds)) return { ok: false, message: 'hub.lease_seconds must be a number of seconds.' };
      lease = Number(r.leaseSeconds);
    }
    // §5.1: the hub decides the lease; it tells the subscriber in the verification.
    lease = Math.min(Math.max(lease, minLeaseSeconds), s.maxLeaseSeconds);
    const mode: WebsubMode = r.mode;
    await upsertSubscriberRequest(deps.db, { topic, callback: callback.href, mode, secret, leaseSeconds: lease }, now().toISOString());
    wake();
    return { ok: true };
  }

  // §5.3: the hub confirms the subscriber's intent by a GET that must echo hub.challenge.
  async function verify(subscriber: HubSubscriber): Promise<boolean> {
    const at = () => now().toISOString();
    const mode = subscriber.pendingMode!;
    const challenge = randomBytes(24).toString('base64url');
    const params: Record<string, string> = { 'hub.mode': mode, 'hub.topic': subscriber.topic, 'hub.challenge': challenge };
    if (mode === 'subscribe') params['hub.lease_seconds'] = String(subscriber.pendingLeaseSeconds ?? s.leaseSeconds);
    let reason: string;
    try {
      const res = await deps.fetch({ url: appendQuery(subscriber.callback, params), accept: 'text/plain, */*;q=0.5', maxBytes: maxAnswerBytes });
      if (res.status >= 200 && res.status < 300 && res.body.toString('utf8').trim() === challenge) {
        await confirmSubscriberRequest(deps.db, subscriber, at());
        deps.log.info({ topic: subscriber.topic, callback: subscriber.callback, mode }, 'websub intent verified');
        return true;
      }
      reason = res.status >= 200 && res.status < 300 ? 'the callback did not echo the challenge' : `the callback answered ${res.status}`;
    } catch (err) {
      reason = `the callback could not be reached: ${describeFailure(err)}`;
    }
    await rejectSubscriberRequest(deps.db, subscriber, reason, at());
    deps.log.info({ topic: subscriber.topic, callback: subscriber.callback, mode, reason }, 'websub intent not verified');
    return false;
  }

  function retryDelaySeconds(attempt: number): number {
    return Math.min(60 * 2 ** Math.max(0, attempt - 1), 6 * 3600);
  }

  // §7: the full feed, with the hub and topic as Link headers and the body's HMAC.
  async function deliver(subscriber: HubSubscriber, content: RenderedFeed): Promise<DeliveryOutcome> {
    const headers: Record<string, string> = { link: `<${url}>; rel="hub", <${subscriber.topic}>; rel="self"` };
    if (subscriber.secret) headers['x-hub-signature'] = signBody(subscriber.secret, content.body);
    let error: string;
    try {
      const res = await deps.fetch({
        url: subscriber.callback,
        method: 'POST',
        body: content.body,
        contentType: content.contentType,
        headers,
        maxBytes: maxAnswerBytes,
      });
      if (res.status >= 200 && res.status < 300) return { status: 'delivered' };
      // §7: a 410 tells the hub the subscription is gone.
      if (res.status === 410) return { status: 'gone' };
      error = `the callback answered ${res.status}`;
    } catch (err) {
      error = `the callback could not be reached: ${describeFailure(err)}`;
    }
    const attempt = subscriber.deliveryAttempts + 1;
    if (attempt >= s.deliveryAttempts) return { status: 'failed', error: `gave up after ${attempt} attempts; the last: ${error}` };
    return { status: 'retry', error, retryAt: new Date(now().getTime() + retryDelaySeconds(attempt) * 1000).toISOString() };
  }

  async function pool<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, items.length) }, async () => {
        while (next < items.length) await work(items[next++]!);
      }),
    );
  }

  async function runOnce(): Promise<{ verified: number; refused: number; delivered: number; failed: number }> {
    const counts = { verified: 0, refused: 0, delivered: 0, failed: 0 };
    for (;;) {
      const t = now();
      const batch = await claimSubscriberVerifications(deps.db, { now: t.toISOString(), leaseUntil: new Date(t.getTime() + leaseMs).toISOString(), limit: concurrency * 4 });
      if (batch.length === 0) break;
      await pool(batch, async (sub) => {
        if (await verify(sub)) counts.verified += 1;
        else counts.refused += 1;
      });
    }
    await deleteExpiredHubSubscribers(deps.db, now().toISOString());
    for (;;) {
      const t = now();
      const batch = await claimDueDeliveries(deps.db, { now: t.toISOString(), leaseUntil: new Date(t.getTime() + leaseMs).toISOString(), limit: concurrency * 4 });
      if (batch.length === 0) break;
      // One rendering per topic, however many subscribe to it.
      const rendered = new Map<string, Promise<RenderedFeed | null>>();
      await pool(batch, async (sub) => {
        let content = rendered.get(sub.topic);
        if (!content) {
          content = renderFeedAt({ db: deps.db, publicUrl: s.publicUrl, maxItems: s.maxItems, hubUrl: url }, sub.topic).catch((err: unknown) => {
            deps.log.error({ topic: sub.topic, err }, 'websub topic could not be rendered');
            return null;
          });
          rendered.set(sub.topic, content);
        }
        const body = await content;
        const outcome: DeliveryOutcome = body ? await deliver(sub, body) : { status: 'failed', error: 'the topic no longer exists' };
        await finishDelivery(deps.db, sub, outcome, now().toISOString());
        if (outcome.status === 'delivered') counts.delivered += 1;
        else {
          counts.failed += 1;
          deps.log.warn({ topic: sub.topic, callback: sub.callback, outcome }, 'websub delivery failed');
        }
      });
    }
    return counts;
  }

  // Without a hub of its own, Palaver tells the external one what changed (hub.mode=publish).
  async function pingExternalHub(topics: string[]): Promise<void> {
    for (const topic of topics) {
      try {
        const res = await deps.fetch({
          url: s.externalHubUrl!,
          method: 'POST',
          body: new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': topic }).toString(),
          contentType: 'application/x-www-form-urlencoded',
          maxBytes: maxAnswerBytes,
        });
        if (res.status >= 300) deps.log.warn({ hub: s.externalHubUrl, topic, status: res.status }, 'websub publish ping refused');
      } catch (err) {
        deps.log.warn({ hub: s.externalHubUrl, topic, error: describeFailure(err) }, 'websub publish ping failed');
      }
    }
  }

  async function publish(change: EntriesChanged): Promise<void> {
    const found = await listEntryScopes(deps.db, change.entryIds);
    const conversationIds = [...new Set([...change.conversationIds, ...found.conversationIds])];
    const topics = feedUrlsOf(s.publicUrl, {
      conversationIds,
      blogIds: [...new Set([...change.blogIds, ...found.blogIds])],
      // A group's feed shows its conversations: whatever changed in one of them changes the group's.
      groupSlugs: [...new Set([...(change.groupSlugs ?? []), ...(await listGroupSlugsOfConversations(deps.db, conversationIds))])],
    });
    if (s.externalHubUrl) return pingExternalHub(topics);
    if ((await markDeliveriesDue(deps.db, topics, now().toISOString())) > 0) wake();
  }

  const loop = createBackgroundLoop({
    intervalMs: s.tickSeconds * 1000,
    async pass() {
      const counts = await runOnce();
      if (counts.verified + counts.refused + counts.delivered + counts.failed > 0) deps.log.info(counts, 'websub hub tick');
    },
    onError: (err) => deps.log.error({ err }, 'websub hub tick failed'),
  });
  const wake = (): void => {
    loop.wake();
    deps.onWork?.();
  };

  return {
    url,
    request,
    notify(change) {
      const done = publish(change).catch((err: unknown) => {
        deps.log.error({ err }, 'websub publish failed');
      });
      track(done);
      return done;
    },
    start() {
      // With an external hub there is nothing to verify or deliver here.
      if (!s.externalHubUrl) loop.start();
    },
    async stop() {
      await loop.stop();
      await Promise.all([...background]);
    },
    wake: loop.wake,
    runOnce,
  };
}
