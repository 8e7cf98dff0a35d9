// store: Palaver as a WebSub subscriber: its subscriptions to blog feeds at the blogs' hubs,
// with their leases and the requests due (subscribe, renew, unsubscribe). The hub side (the
// subscribers of Palaver's own feeds) is in websub-hub.ts.
import type { Selectable, Updateable } from 'kysely';
import type { Db } from '../db/open.ts';
import { claimDue } from './claim.ts';
import type { WebsubSubscriptionsTable } from '../db/schema.ts';
import type { WebsubMode } from '../domain/vocabulary.ts';

/** Palaver's subscription to a blog feed at the blog's hub. */
export interface FeedSubscription {
  id: number;
  sourceId: number | null;
  hubUrl: string;
  topicUrl: string;
  secret: string;
  wanted: boolean;
  pendingMode: WebsubMode | null;
  leaseSeconds: number | null;
  expiresAt: string | null;
  verifiedAt: string | null;
  dueAt: string | null;
  attempts: number;
  lastError: string | null;
  lastPushAt: string | null;
}

function toFeedSubscription(row: Selectable<WebsubSubscriptionsTable>): FeedSubscription {
  return {
    id: row.id,
    sourceId: row.source_id,
    hubUrl: row.hub_url,
    topicUrl: row.topic_url,
    secret: row.secret,
    wanted: Number(row.wanted) !== 0,
    pendingMode: row.pending_mode,
    leaseSeconds: row.lease_seconds,
    expiresAt: row.expires_at,
    verifiedAt: row.verified_at,
    dueAt: row.due_at,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    lastPushAt: row.last_push_at,
  };
}

/** Inserts a wanted subscription, due at once. */
export async function insertFeedSubscription(
  db: Db,
  subscription: { sourceId: number; hubUrl: string; topicUrl: string; secret: string },
  now: string,
): Promise<FeedSubscription> {
  const row = await db
    .insertInto('websub_subscriptions')
    .values({
      source_id: subscription.sourceId,
      hub_url: subscription.hubUrl,
      topic_url: subscription.topicUrl,
      secret: subscription.secret,
      due_at: now,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toFeedSubscription(row);
}

/** Finds a subscription by id. */
export async function findFeedSubscription(db: Db, id: number): Promise<FeedSubscription | undefined> {
  const row = await db.selectFrom('websub_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toFeedSubscription(row) : undefined;
}

/** Lists a source's subscriptions, wanted or being undone. */
export async function listFeedSubscriptionsBySource(db: Db, sourceId: number): Promise<FeedSubscription[]> {
  const rows = await db.selectFrom('websub_subscriptions').selectAll().where('source_id', '=', sourceId).orderBy('id').execute();
  return rows.map(toFeedSubscription);
}

export interface FeedSubscriptionPatch {
  wanted?: boolean;
  pendingMode?: WebsubMode | null;
  leaseSeconds?: number | null;
  expiresAt?: string | null;
  verifiedAt?: string | null;
  dueAt?: string | null;
  attempts?: number;
  lastError?: string | null;
  lastPushAt?: string | null;
}

/** Updates a subscription; fields not given stay as they were. */
export async function updateFeedSubscription(db: Db, id: number, patch: FeedSubscriptionPatch, now: string): Promise<void> {
  const set: Updateable<WebsubSubscriptionsTable> = { updated_at: now };
  if (patch.wanted !== undefined) set.wanted = patch.wanted ? 1 : 0;
  if (patch.pendingMode !== undefined) set.pending_mode = patch.pendingMode;
  if (patch.leaseSeconds !== undefined) set.lease_seconds = patch.leaseSeconds;
  if (patch.expiresAt !== undefined) set.expires_at = patch.expiresAt;
  if (patch.verifiedAt !== undefined) set.verified_at = patch.verifiedAt;
  if (patch.dueAt !== undefined) set.due_at = patch.dueAt;
  if (patch.attempts !== undefined) set.attempts = patch.attempts;
  if (patch.lastError !== undefined) set.last_error = patch.lastError;
  if (patch.lastPushAt !== undefined) set.last_push_at = patch.lastPushAt;
  await db.updateTable('websub_subscriptions').set(set).where('id', '=', id).execute();
}

/** Deletes a subscription (the hub has been told, or gave up on it). */
export async function deleteFeedSubscription(db: Db, id: number): Promise<void> {
  await db.deleteFrom('websub_subscriptions').where('id', '=', id).execute();
}

/**
 * Marks subscriptions whose feed Palaver no longer follows (source deleted or stopped, blog
 * disabled) as unwanted and due, so the worker unsubscribes them.
 */
export async function markOrphanFeedSubscriptions(db: Db, now: string): Promise<number> {
  const result = await db
    .updateTable('websub_subscriptions')
    .set({ wanted: 0, due_at: now, attempts: 0, updated_at: now })
    .where('wanted', '=', 1)
    .where((eb) =>
      eb.or([
        eb('source_id', 'is', null),
        eb.exists(
          eb
            .selectFrom('sources')
            .innerJoin('blogs', 'blogs.id', 'sources.blog_id')
            .select('sources.id')
            .whereRef('sources.id', '=', 'websub_subscriptions.source_id')
            .where((w) => w.or([w('sources.disabled_at', 'is not', null), w('blogs.disabled_at', 'is not', null)])),
        ),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Claims subscriptions due for a request (subscribe, renew, unsubscribe, retry), leased until leaseUntil. */
export async function claimDueFeedSubscriptions(db: Db, options: { now: string; leaseUntil: string; limit: number }): Promise<FeedSubscription[]> {
  const rows = await claimDue(db, {
    table: 'websub_subscriptions',
    due: db.selectFrom('websub_subscriptions').select('id').where('due_at', '<=', options.now).orderBy('due_at').limit(options.limit),
    lease: { due_at: options.leaseUntil },
  });
  return rows.map(toFeedSubscription);
}
