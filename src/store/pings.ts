// store: pings received at the endpoints or found in listings, and the hosts moderators have
// blocked or trusted. The pings table is the verification queue, claimed with a lease.
import type { Selectable } from 'kysely';
import type { Db } from '../db/open.ts';
import { claimDue } from './claim.ts';
import type { PingsTable } from '../db/schema.ts';
import type { Ping } from '../domain/models.ts';
import type { HostVerdict, PingProtocol, PingReceivedVia, PingStatus } from '../domain/vocabulary.ts';
import { urlKey } from '../domain/url-key.ts';

function toPing(row: Selectable<PingsTable>): Ping {
  return {
    id: row.id,
    protocol: row.protocol,
    receivedVia: row.received_via,
    sourceUrl: row.source_url,
    sourceKey: row.source_key,
    sourceHost: row.source_host,
    targetUrl: row.target_url,
    targetKey: row.target_key,
    targetEntryId: row.target_entry_id,
    title: row.title,
    excerpt: row.excerpt,
    blogName: row.blog_name,
    status: row.status,
    statusReason: row.status_reason,
    entryId: row.entry_id,
    attempts: Number(row.attempts),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    verifiedAt: row.verified_at,
  };
}

export interface NewPing {
  protocol: PingProtocol;
  receivedVia: PingReceivedVia;
  sourceUrl: string;
  targetUrl: string;
  targetEntryId: number | null;
  title?: string | null;
  excerpt?: string | null;
  blogName?: string | null;
  clientAddress?: string | null;
}

/**
 * Queues a ping for verification. The same source and target again is the same ping: it is
 * queued again (a webmention update, a re-sent trackback), never stored twice.
 */
export async function upsertPing(db: Db, ping: NewPing, now: string): Promise<{ ping: Ping; isNew: boolean }> {
  const sourceKey = urlKey(ping.sourceUrl);
  const targetKey = urlKey(ping.targetUrl);
  if (!sourceKey || !targetKey) throw new Error('store: a ping needs http(s) source and target URLs');
  const existing = await db.selectFrom('pings').select(['id', 'received_via']).where('source_key', '=', sourceKey).where('target_key', '=', targetKey).executeTakeFirst();
  const values = {
    protocol: ping.protocol,
    source_url: ping.sourceUrl,
    source_host: new URL(ping.sourceUrl).host.toLowerCase(),
    target_url: ping.targetUrl,
    target_entry_id: ping.targetEntryId,
    title: ping.title ?? null,
    excerpt: ping.excerpt ?? null,
    blog_name: ping.blogName ?? null,
    client_address: ping.clientAddress ?? null,
    status: 'queued' as const,
    status_reason: null,
    attempts: 0,
    next_attempt_at: now,
    updated_at: now,
  };
  if (existing) {
    // A ping sent to Palaver says more than a listing line: the endpoint's protocol wins.
    const receivedVia = existing.received_via === 'endpoint' || ping.receivedVia === 'endpoint' ? 'endpoint' : 'listing';
    await db.updateTable('pings').set({ ...values, received_via: receivedVia }).where('id', '=', existing.id).execute();
  } else {
    await db
      .insertInto('pings')
      .values({ ...values, received_via: ping.receivedVia, source_key: sourceKey, target_key: targetKey, created_at: now })
      .execute();
  }
  const row = await db.selectFrom('pings').selectAll().where('source_key', '=', sourceKey).where('target_key', '=', targetKey).executeTakeFirstOrThrow();
  return { ping: toPing(row), isNew: !existing };
}

/** Finds a ping by id. */
export async function findPing(db: Db, id: number): Promise<Ping | undefined> {
  const row = await db.selectFrom('pings').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toPing(row) : undefined;
}

/** Finds the ping from a source to a target, if Palaver has one. */
export async function findPingBySourceTarget(db: Db, sourceUrl: string, targetUrl: string): Promise<Ping | undefined> {
  const s = urlKey(sourceUrl);
  const t = urlKey(targetUrl);
  if (!s || !t) return undefined;
  const row = await db.selectFrom('pings').selectAll().where('source_key', '=', s).where('target_key', '=', t).executeTakeFirst();
  return row ? toPing(row) : undefined;
}

/** Claims queued pings that are due, leasing them so a second worker (or a crash) skips them. */
export async function claimQueuedPings(db: Db, options: { now: string; leaseUntil: string; limit: number }): Promise<Ping[]> {
  const rows = await claimDue(db, {
    table: 'pings',
    due:
      db.selectFrom('pings').select('id').where('status', '=', 'queued').where('next_attempt_at', '<=', options.now).orderBy('next_attempt_at').orderBy('id').limit(options.limit),
    lease: { next_attempt_at: options.leaseUntil, attempts: (eb) => eb('attempts', '+', 1) },
  });
  // The claim counted the attempt it starts; a Ping counts the attempts made before it.
  return rows.map((row) => ({ ...toPing(row), attempts: Number(row.attempts) - 1 }));
}

/**
 * Claims one queued ping for a verification that must start now (a pingback awaiting its answer),
 * leasing it as claimQueuedPings does. It fails (false) when another worker claimed the ping since
 * it was read with `attempts` (every claim counts an attempt), or while an earlier claim's lease or
 * retry time has not passed; a ping never claimed (attempts 0) is due whatever the clock says.
 */
export async function claimPing(db: Db, id: number, options: { attempts: number; now: string; leaseUntil: string }): Promise<boolean> {
  const rows = await claimDue(db, {
    table: 'pings',
    due:
      db
        .selectFrom('pings')
        .select('id')
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .where('attempts', '=', options.attempts)
        .where((eb) => eb.or([eb('attempts', '=', 0), eb('next_attempt_at', '<=', options.now)])),
    lease: { next_attempt_at: options.leaseUntil, attempts: (eb) => eb('attempts', '+', 1) },
  });
  return rows.length > 0;
}

/** Records the outcome of a verification. */
export async function finishPing(
  db: Db,
  id: number,
  outcome: { status: PingStatus; reason: string | null; entryId?: number | null; retryAt?: string | null },
  now: string,
): Promise<void> {
  await db
    .updateTable('pings')
    .set({
      status: outcome.status,
      status_reason: outcome.reason,
      ...(outcome.entryId !== undefined ? { entry_id: outcome.entryId } : {}),
      next_attempt_at: outcome.retryAt ?? null,
      updated_at: now,
      ...(outcome.status === 'accepted' ? { verified_at: now } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** Counts pings waiting for verification (the queue's length). */
export async function countQueuedPings(db: Db): Promise<number> {
  const row = await db.selectFrom('pings').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'queued').executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many accepted pings of a target the public listings give (neither TrackBack nor Pingback has paging). */
export const maxListedPings = 1000;

/**
 * Lists the newest accepted pings of a target, at most maxListedPings, oldest first as the listings
 * always were (for getPingbacks and the trackback listing). They are read newest first from the
 * index of a target's pings by status and age (migration 0024), never the whole table; with a
 * protocol named, the target's newer pings of other protocols are stepped over in it.
 */
export async function listAcceptedPings(db: Db, targetUrl: string, protocol?: PingProtocol): Promise<Ping[]> {
  const key = urlKey(targetUrl);
  if (!key) return [];
  let q = db.selectFrom('pings').selectAll().where('target_key', '=', key).where('status', '=', 'accepted');
  if (protocol) q = q.where('protocol', '=', protocol);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(maxListedPings).execute();
  return rows.reverse().map(toPing);
}

/** Lists pings by status, newest first (the moderation queue). */
export async function listPingsByStatus(db: Db, status: PingStatus, limit: number): Promise<Ping[]> {
  const rows = await db.selectFrom('pings').selectAll().where('status', '=', status).orderBy('updated_at', 'desc').limit(limit).execute();
  return rows.map(toPing);
}

/** Tells what moderators decided about a host: blocked, trusted, or nothing yet. */
export async function findHostVerdict(db: Db, host: string): Promise<HostVerdict | null> {
  const row = await db.selectFrom('ping_hosts').select('verdict').where('host', '=', host.toLowerCase()).executeTakeFirst();
  return row?.verdict ?? null;
}

/** Blocks or trusts a host. */
export async function setHostVerdict(db: Db, host: string, verdict: HostVerdict, reason: string | null, now: string): Promise<void> {
  await db
    .insertInto('ping_hosts')
    .values({ host: host.toLowerCase(), verdict, reason, created_at: now })
    .onConflict((oc) => oc.column('host').doUpdateSet({ verdict, reason }))
    .execute();
}

/** Tells whether Palaver has accepted a ping from this host before (first-seen hosts are moderated). */
export async function hasAcceptedPingFromHost(db: Db, host: string): Promise<boolean> {
  const row = await db.selectFrom('pings').select('id').where('source_host', '=', host.toLowerCase()).where('status', '=', 'accepted').limit(1).executeTakeFirst();
  return row !== undefined;
}
