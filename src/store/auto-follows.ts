// store: the sites Palaver followed by itself (registry.autoFollow) or tried to, one row per
// site: what was decided, why, and when, so each site is decided once and each day's count holds.
// A pass claims its sites first ('trying', leased), so pollers in several processes never try
// one site twice nor spend more than the day's limit between them.
import type { Selectable } from 'kysely';
import type { Db } from '../db/open.ts';
import type { AutoFollowsTable } from '../db/schema.ts';
import type { AutoFollow } from '../domain/models.ts';
import type { AutoFollowReason } from '../domain/vocabulary.ts';
import { serializeAutoFollowClaims } from './dialect.ts';
import { listAutoFollowCandidates, type AutoFollowCandidate } from './site-mentions.ts';

type Row = Selectable<AutoFollowsTable> & { blog_title: string | null; blog_home_url: string | null };

function toAutoFollow(row: Row): AutoFollow {
  return {
    id: row.id,
    site: row.site,
    url: row.url,
    blog: row.blog_id !== null && row.blog_home_url !== null ? { id: row.blog_id, title: row.blog_title, homeUrl: row.blog_home_url } : null,
    reason: row.reason,
    linkingBlogCount: Number(row.linking_blog_count),
    pingCount: Number(row.ping_count),
    status: row.status,
    error: row.error,
    createdAt: row.created_at,
    undoneAt: row.undone_at,
  };
}

function selectAutoFollows(db: Db) {
  return db
    .selectFrom('auto_follows')
    .leftJoin('blogs', 'blogs.id', 'auto_follows.blog_id')
    .selectAll('auto_follows')
    .select(['blogs.title as blog_title', 'blogs.home_url as blog_home_url']);
}

/** Counts the attempts (followed or failed) made since a time: the daily limit counts each. */
export async function countAutoFollowAttemptsSince(db: Db, since: string): Promise<number> {
  const row = await db
    .selectFrom('auto_follows')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('attempted_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface AutoFollowDecision {
  site: string;
  url: string;
  reason: AutoFollowReason;
  linkingBlogCount: number;
  pingCount: number;
  outcome: { status: 'followed'; blogId: number } | { status: 'failed'; error: string; retryAt: string } | { status: 'trying'; retryAt: string };
}

/**
 * Records what an attempt to follow a site came to, or that one is under way (a site tried again
 * replaces its row; a followed or undone site's row is never replaced).
 */
export async function recordAutoFollow(db: Db, d: AutoFollowDecision, now: string): Promise<void> {
  const values = {
    url: d.url,
    reason: d.reason,
    linking_blog_count: d.linkingBlogCount,
    ping_count: d.pingCount,
    status: d.outcome.status,
    blog_id: d.outcome.status === 'followed' ? d.outcome.blogId : null,
    error: d.outcome.status === 'failed' ? d.outcome.error : null,
    retry_at: d.outcome.status === 'followed' ? null : d.outcome.retryAt,
    attempted_at: now,
    updated_at: now,
  };
  await db
    .insertInto('auto_follows')
    .values({ site: d.site, created_at: now, ...values })
    .onConflict((oc) => oc.column('site').doUpdateSet(values).where('auto_follows.status', 'in', ['trying', 'failed']))
    .execute();
}

/**
 * Claims the sites one pass of automatic following tries: those that qualify now, at most what
 * is left of the day's limit (attempts since `since`), each marked 'trying' until `leaseUntil`
 * (a process that dies mid-pass leaves its sites to be tried again then).
 */
export async function claimAutoFollowCandidates(
  db: Db,
  options: { minLinks: number; perDay: number; since: string; now: string; leaseUntil: string },
): Promise<AutoFollowCandidate[]> {
  return db.transaction().execute(async (trx) => {
    await serializeAutoFollowClaims(trx);
    const left = options.perDay - (await countAutoFollowAttemptsSince(trx, options.since));
    if (left <= 0) return [];
    const candidates = await listAutoFollowCandidates(trx, { minLinks: options.minLinks, limit: left, now: options.now });
    for (const c of candidates) {
      const decision = { site: c.site, url: c.startUrl, reason: autoFollowReason(c), linkingBlogCount: c.linkingBlogCount, pingCount: c.pingCount };
      await recordAutoFollow(trx, { ...decision, outcome: { status: 'trying', retryAt: options.leaseUntil } }, options.now);
    }
    return candidates;
  });
}

/** Why a site qualifies: a verified ping outweighs links. */
export function autoFollowReason(c: { pingCount: number }): AutoFollowReason {
  return c.pingCount > 0 ? 'ping' : 'links';
}

/** Lists automatic follows that took place (followed or undone), newest first, one page. */
export async function listAutoFollows(db: Db, page: { limit: number; offset: number }): Promise<AutoFollow[]> {
  const rows = await selectAutoFollows(db)
    .where('auto_follows.status', 'in', ['followed', 'undone'])
    .orderBy('auto_follows.updated_at', 'desc')
    .orderBy('auto_follows.id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toAutoFollow);
}

/** Finds an automatic follow by id. */
export async function findAutoFollow(db: Db, id: number): Promise<AutoFollow | undefined> {
  const row = await selectAutoFollows(db).where('auto_follows.id', '=', id).executeTakeFirst();
  return row ? toAutoFollow(row) : undefined;
}

/** Marks an automatic follow undone: the site is never followed automatically again. */
export async function markAutoFollowUndone(db: Db, id: number, now: string): Promise<void> {
  await db.updateTable('auto_follows').set({ status: 'undone', undone_at: now, updated_at: now }).where('id', '=', id).execute();
}
