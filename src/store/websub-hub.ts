// store: Palaver as a WebSub hub: the subscribers of its feeds with their pending requests,
// leases and deliveries. What is due (verification, delivery) is decided by the queries here;
// Palaver's own subscriptions at blogs' hubs are in websub-subscriptions.ts.
import type { Selectable, Updateable } from 'kysely';
import type { Db } from '../db/open.ts';
import { claimDue } from './claim.ts';
import type { WebsubSubscribersTable } from '../db/schema.ts';
import type { WebsubMode } from '../domain/vocabulary.ts';

/** A subscriber of one of Palaver's feeds (Palaver is the hub). */
export interface HubSubscriber {
  id: number;
  topic: string;
  callback: string;
  secret: string | null;
  leaseSeconds: number | null;
  /** Null until intent was verified once. */
  expiresAt: string | null;
  verifiedAt: string | null;
  pendingMode: WebsubMode | null;
  pendingSecret: string | null;
  pendingLeaseSeconds: number | null;
  verifyDueAt: string | null;
  deliveryDueAt: string | null;
  deliveryAttempts: number;
  deliveredAt: string | null;
  lastError: string | null;
}

function toHubSubscriber(row: Selectable<WebsubSubscribersTable>): HubSubscriber {
  return {
    id: row.id,
    topic: row.topic,
    callback: row.callback,
    secret: row.secret,
    leaseSeconds: row.lease_seconds,
    expiresAt: row.expires_at,
    verifiedAt: row.verified_at,
    pendingMode: row.pending_mode,
    pendingSecret: row.pending_secret,
    pendingLeaseSeconds: row.pending_lease_seconds,
    verifyDueAt: row.verify_due_at,
    deliveryDueAt: row.delivery_due_at,
    deliveryAttempts: Number(row.delivery_attempts),
    deliveredAt: row.delivered_at,
    lastError: row.last_error,
  };
}

export interface SubscriberRequest {
  topic: string;
  callback: string;
  mode: WebsubMode;
  secret: string | null;
  leaseSeconds: number;
}

/**
 * Records a subscription request for verification. An existing subscription keeps its secret
 * and lease until the new request is verified (WebSub §5.1: a hub must not change it before).
 */
export async function upsertSubscriberRequest(db: Db, request: SubscriberRequest, now: string): Promise<HubSubscriber> {
  const pending = {
    pending_mode: request.mode,
    pending_secret: request.secret,
    pending_lease_seconds: request.leaseSeconds,
    verify_due_at: now,
    updated_at: now,
  };
  const row = await db
    .insertInto('websub_subscribers')
    .values({ topic: request.topic, callback: request.callback, ...pending, created_at: now })
    .onConflict((oc) => oc.columns(['topic', 'callback']).doUpdateSet(pending))
    .returningAll()
    .executeTakeFirstOrThrow();
  return toHubSubscriber(row);
}

/** Finds the subscriber with this topic and callback. */
export async function findHubSubscriber(db: Db, topic: string, callback: string): Promise<HubSubscriber | undefined> {
  const row = await db.selectFrom('websub_subscribers').selectAll().where('topic', '=', topic).where('callback', '=', callback).executeTakeFirst();
  return row ? toHubSubscriber(row) : undefined;
}

/** Lists the verified, unexpired subscribers of a topic. */
export async function listActiveHubSubscribers(db: Db, topic: string, now: string): Promise<HubSubscriber[]> {
  const rows = await db.selectFrom('websub_subscribers').selectAll().where('topic', '=', topic).where('expires_at', '>', now).orderBy('id').execute();
  return rows.map(toHubSubscriber);
}

/** Claims requests due for intent verification and leases them until leaseUntil. */
export async function claimSubscriberVerifications(db: Db, options: { now: string; leaseUntil: string; limit: number }): Promise<HubSubscriber[]> {
  const rows = await claimDue(db, {
    table: 'websub_subscribers',
    due:
      db.selectFrom('websub_subscribers').select('id').where('pending_mode', 'is not', null).where('verify_due_at', '<=', options.now).orderBy('verify_due_at').limit(options.limit),
    lease: { verify_due_at: options.leaseUntil },
  });
  return rows.map(toHubSubscriber);
}

/**
 * Applies a verified request: a subscription takes its new secret and lease, an
 * unsubscription deletes the row. A newer request that arrived meanwhile stays pending.
 */
export async function confirmSubscriberRequest(db: Db, claimed: HubSubscriber, now: string): Promise<void> {
  if (claimed.pendingMode === 'unsubscribe') {
    await db.deleteFrom('websub_subscribers').where('id', '=', claimed.id).where('verify_due_at', '=', claimed.verifyDueAt).execute();
    return;
  }
  const lease = claimed.pendingLeaseSeconds ?? 0;
  await db
    .updateTable('websub_subscribers')
    .set({
      secret: claimed.pendingSecret,
      lease_seconds: lease,
      expires_at: new Date(Date.parse(now) + lease * 1000).toISOString(),
      verified_at: now,
      pending_mode: null,
      pending_secret: null,
      pending_lease_seconds: null,
      verify_due_at: null,
      last_error: null,
      updated_at: now,
    })
    .where('id', '=', claimed.id)
    .where('verify_due_at', '=', claimed.verifyDueAt)
    .execute();
}

/** Drops a request whose verification failed; a row never verified goes with it. */
export async function rejectSubscriberRequest(db: Db, claimed: HubSubscriber, reason: string, now: string): Promise<void> {
  await db
    .deleteFrom('websub_subscribers')
    .where('id', '=', claimed.id)
    .where('expires_at', 'is', null)
    .where('verify_due_at', '=', claimed.verifyDueAt)
    .execute();
  await db
    .updateTable('websub_subscribers')
    .set({ pending_mode: null, pending_secret: null, pending_lease_seconds: null, verify_due_at: null, last_error: reason, updated_at: now })
    .where('id', '=', claimed.id)
    .where('verify_due_at', '=', claimed.verifyDueAt)
    .execute();
}

/**
 * Makes a delivery due now for every active subscriber of these topics. A poll that changed
 * thousands of conversations names three feeds of each: the topics go in parts, within the
 * databases' limits of bound values per statement.
 */
export async function markDeliveriesDue(db: Db, topics: string[], now: string): Promise<number> {
  let marked = 0;
  for (let i = 0; i < topics.length; i += topicChunk) {
    const result = await db
      .updateTable('websub_subscribers')
      .set({ delivery_due_at: now, delivery_attempts: 0 })
      .where('topic', 'in', topics.slice(i, i + topicChunk))
      .where('expires_at', '>', now)
      .executeTakeFirst();
    marked += Number(result.numUpdatedRows);
  }
  return marked;
}
const topicChunk = 500;

/** Claims deliveries that are due (unexpired subscribers only) and leases them until leaseUntil. */
export async function claimDueDeliveries(db: Db, options: { now: string; leaseUntil: string; limit: number }): Promise<HubSubscriber[]> {
  const rows = await claimDue(db, {
    table: 'websub_subscribers',
    due:
      db.selectFrom('websub_subscribers').select('id').where('delivery_due_at', '<=', options.now).where('expires_at', '>', options.now).orderBy('delivery_due_at').limit(options.limit),
    lease: { delivery_due_at: options.leaseUntil },
  });
  return rows.map(toHubSubscriber);
}

export type DeliveryOutcome =
  | { status: 'delivered' }
  | { status: 'retry'; retryAt: string; error: string }
  | { status: 'failed'; error: string }
  | { status: 'gone' };

/**
 * Records how a claimed delivery went. When the topic changed again during the delivery (the
 * due time moved), the row stays due so the newer content goes out too.
 */
export async function finishDelivery(db: Db, claimed: HubSubscriber, outcome: DeliveryOutcome, now: string): Promise<void> {
  if (outcome.status === 'gone') {
    await db.deleteFrom('websub_subscribers').where('id', '=', claimed.id).execute();
    return;
  }
  const patch: Updateable<WebsubSubscribersTable> = { updated_at: now };
  if (outcome.status === 'delivered') Object.assign(patch, { delivery_due_at: null, delivery_attempts: 0, delivered_at: now, last_error: null });
  else if (outcome.status === 'retry') Object.assign(patch, { delivery_due_at: outcome.retryAt, delivery_attempts: claimed.deliveryAttempts + 1, last_error: outcome.error });
  else Object.assign(patch, { delivery_due_at: null, delivery_attempts: 0, last_error: outcome.error });
  const result = await db
    .updateTable('websub_subscribers')
    .set(patch)
    .where('id', '=', claimed.id)
    .where('delivery_due_at', '=', claimed.deliveryDueAt)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0 && outcome.status !== 'retry') {
    await db.updateTable('websub_subscribers').set({ delivered_at: now, last_error: patch.last_error ?? null, updated_at: now }).where('id', '=', claimed.id).execute();
  }
}

/** Deletes subscribers whose lease ran out (WebSub §5.1: they must subscribe again). */
export async function deleteExpiredHubSubscribers(db: Db, now: string): Promise<number> {
  const result = await db.deleteFrom('websub_subscribers').where('expires_at', '<=', now).where('pending_mode', 'is', null).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The earliest time anything of the hub is due (verification or delivery), or null. */
export async function findNextHubWork(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom('websub_subscribers')
    .select((eb) => [eb.fn.min<string>('verify_due_at').as('verify'), eb.fn.min<string>('delivery_due_at').as('delivery')])
    .executeTakeFirst();
  const times = [row?.verify, row?.delivery].filter((t): t is string => !!t).sort();
  return times[0] ?? null;
}
