// Taking a ping in at an endpoint, whatever its protocol: whether its sender may send now
// (rate limits per client and per source host, the verification queue's capacity, blocked
// hosts), and queueing it for the verifier. The protocol receivers call these in their order.
import type { Db } from '../db/open.ts';
import type { Ping } from '../domain/models.ts';
import type { PingVerdict } from '../domain/verification.ts';
import type { PingProtocol } from '../domain/vocabulary.ts';
import { countQueuedPings, findHostVerdict, upsertPing } from '../store/pings.ts';
import type { PingTarget } from './ping-target.ts';

/** A per-key limit of events (the web layer's minute limiter). */
export interface KeyLimiter {
  take(key: string): boolean | Promise<boolean>;
}

/** What the receivers of the three protocols need. */
export interface IntakeDeps {
  db: Db;
  publicUrl: string;
  now: () => Date;
  perClient: KeyLimiter;
  perSourceHost: KeyLimiter;
  /** More pings than this waiting for verification: new ones are refused for now. */
  queueCapacity: number;
  /** Verifies queued pings; without it pings only queue. */
  verifier?: { wake(): void; verifyNow(pingId: number, signal?: AbortSignal): Promise<PingVerdict> };
}

/** Why a ping cannot be taken now; senders are told to come back later. */
export interface Refusal {
  code: 'rate-limited' | 'queue-full';
  message: string;
}

/** Tells whether a sender may send a ping from `sourceUrl` now; counts it against the limits. */
export async function admitPing(deps: IntakeDeps, clientAddress: string, sourceUrl: string | null): Promise<Refusal | null> {
  if (!(await deps.perClient.take(clientAddress))) return { code: 'rate-limited', message: 'Too many pings from your address; try again in a minute.' };
  if (sourceUrl) {
    let host: string;
    try {
      host = new URL(sourceUrl).host.toLowerCase();
    } catch {
      return null;
    }
    if (!(await deps.perSourceHost.take(host))) return { code: 'rate-limited', message: `Too many pings from ${host}; try again in a minute.` };
  }
  if ((await countQueuedPings(deps.db)) >= deps.queueCapacity) {
    return { code: 'queue-full', message: 'Palaver has too many pings waiting to be checked; try again later.' };
  }
  return null;
}

/** Tells whether a moderator blocked the host of a ping's source. */
export async function isBlockedSource(db: Db, sourceUrl: string): Promise<boolean> {
  return (await findHostVerdict(db, new URL(sourceUrl).host)) === 'blocked';
}

/** A ping as an endpoint received it. */
export interface ReceivedPing {
  protocol: PingProtocol;
  sourceUrl: string;
  target: PingTarget;
  clientAddress: string;
  title?: string;
  excerpt?: string;
  blogName?: string;
}

/** Queues a received ping for verification and wakes the verifier. */
export async function queuePing(deps: IntakeDeps, received: ReceivedPing): Promise<Ping> {
  const { ping } = await upsertPing(
    deps.db,
    {
      protocol: received.protocol,
      receivedVia: 'endpoint',
      sourceUrl: received.sourceUrl,
      targetUrl: received.target.url,
      targetEntryId: received.target.entryId,
      clientAddress: received.clientAddress,
      ...(received.title !== undefined ? { title: received.title } : {}),
      ...(received.excerpt !== undefined ? { excerpt: received.excerpt } : {}),
      ...(received.blogName !== undefined ? { blogName: received.blogName } : {}),
    },
    deps.now().toISOString(),
  );
  deps.verifier?.wake();
  return ping;
}
