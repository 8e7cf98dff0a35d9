// store: what Palaver polls (feeds, comment feeds, ping listings) and each one's poll state.
// The claim of due sources lives beside it (source-claims.ts).
import type { Selectable, Updateable } from 'kysely';
import type { Db } from '../db/open.ts';
import { commitTogether } from './commit-together.ts';
import { keptLengthParts, prepare, preparedList, type PreparedStatement } from './prepared.ts';
import type { SourcesTable } from '../db/schema.ts';
import type { Source } from '../domain/models.ts';
import { sourceKinds, type SourceKind } from '../domain/vocabulary.ts';

export interface NewSource {
  blogId: number;
  entryId?: number | null;
  kind: SourceKind;
  url: string;
  format?: string | null;
  title?: string | null;
  nextCheckAt: string;
}

/** Turns a row of sources into a Source (for the store modules that read sources). */
export function toSource(row: Selectable<SourcesTable>): Source {
  return {
    id: row.id,
    blogId: row.blog_id,
    entryId: row.entry_id,
    kind: row.kind,
    url: row.url,
    host: row.host,
    format: row.format,
    title: row.title,
    etag: row.etag,
    lastModified: row.last_modified,
    nextCheckAt: row.next_check_at,
    lastCheckedAt: row.last_checked_at,
    lastSuccessAt: row.last_success_at,
    lastStatus: row.last_status,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    consecutiveFailures: Number(row.consecutive_failures),
    intervalHintSeconds: row.interval_hint_seconds,
    redirectUrl: row.redirect_url,
    redirectCount: Number(row.redirect_count),
    disabledAt: row.disabled_at,
    disabledReason: row.disabled_reason,
    pushedUntil: row.pushed_until ?? null,
    apiPostId: row.api_post_id ?? null,
    gapNote: row.gap_note ?? null,
    gapPolls: Number(row.gap_polls ?? 0),
    bodyHash: row.body_hash ?? null,
    itemsSkipped: Number(row.items_skipped ?? 0),
  };
}

/** The host:port a URL is fetched from, the unit of per-host politeness. */
export function hostOf(url: string): string {
  const u = new URL(url);
  return u.host.toLowerCase();
}

/** Inserts a source to poll; an existing one with the same blog and URL is returned instead. */
export async function insertSource(db: Db, source: NewSource, now: string): Promise<Source> {
  await ensureSource(db, source, now);
  const row = await db
    .selectFrom('sources')
    .selectAll()
    .where('blog_id', '=', source.blogId)
    .where('url', '=', source.url)
    .executeTakeFirstOrThrow();
  return toSource(row);
}

/** Inserts a source to poll unless the blog has one with that URL already (ingest's form: nothing read back). */
export async function ensureSource(db: Db, source: NewSource, now: string): Promise<void> {
  await insertSourceIfNew(db, [source.blogId, source.entryId ?? null, source.kind, source.url, hostOf(source.url), source.format ?? null, source.title ?? null, source.nextCheckAt, now]);
}

/** Adds sources unless their blog has them (by URL): ensureSource for many, a statement per kept length. */
export async function ensureSources(db: Db, sources: NewSource[], now: string): Promise<void> {
  for (const part of keptLengthParts(sources)) {
    await insertSourcesIfNew(part.length)(db, part.flatMap((s) => [s.blogId, s.entryId ?? null, s.kind, s.url, hostOf(s.url), s.format ?? null, s.title ?? null, s.nextCheckAt, now]));
  }
}

const insertSourcesIfNew = preparedList(9, (db, rows: [number, number | null, SourceKind, string, string, string | null, string | null, string, string][]) =>
  db
    .insertInto('sources')
    .values(rows.map(([blogId, entryId, kind, url, host, format, title, nextCheckAt, now]) => ({ blog_id: blogId, entry_id: entryId, kind, url, host, format, title, next_check_at: nextCheckAt, created_at: now, updated_at: now })))
    .onConflict((oc) => oc.columns(['blog_id', 'url']).doNothing()),
);

const insertSourceIfNew = prepare(
  9,
  (db, [blogId, entryId, kind, url, host, format, title, nextCheckAt, now]: [number, number | null, SourceKind, string, string, string | null, string | null, string, string]) =>
    db
      .insertInto('sources')
      .values({ blog_id: blogId, entry_id: entryId, kind, url, host, format, title, next_check_at: nextCheckAt, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['blog_id', 'url']).doNothing()),
);

/** Finds a source by id. */
export async function findSourceById(db: Db, id: number): Promise<Source | undefined> {
  const row = await db.selectFrom('sources').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSource(row) : undefined;
}

// The kinds that stand for a blog itself; the rest are its posts' comment feeds, one a post.
const ownSourceKinds = sourceKinds.filter((k) => k !== 'post-comments');
/** Blog ids in one statement's `in (…)` at most. */
const blogIdsPerStatement = 500;
// A blog's page lists its own sources post feeds first, then the site's comment feed, then the listings of pings.
const ownKindRank = (kind: SourceKind) => (kind === 'feed' ? 0 : kind === 'site-comments' ? 1 : 2);

/**
 * Lists a blog's sources, its own first (post feeds, the site's comment feed, listings of pings),
 * then its posts' comment feeds in the order they were found; one page of them when `page` is
 * given, all of them otherwise. A page of comment feeds is a range of the index of a blog's
 * sources by kind and id, never a sort of all of them (migration 0021).
 */
export async function listSourcesByBlog(db: Db, blogId: number, page?: { limit: number; offset: number }): Promise<Source[]> {
  const own = (await listBlogSources(db, [blogId])).sort((a, b) => ownKindRank(a.kind) - ownKindRank(b.kind) || a.id - b.id);
  const offset = page?.offset ?? 0;
  const shown = page ? own.slice(offset, offset + page.limit) : own;
  const left = page ? page.limit - shown.length : Infinity;
  if (left <= 0) return shown;
  let comments = db.selectFrom('sources').selectAll().where('blog_id', '=', blogId).where('kind', '=', 'post-comments').orderBy('id');
  if (page) comments = comments.limit(left).offset(Math.max(0, offset - own.length));
  return [...shown, ...(await comments.execute()).map(toSource)];
}

/** How many sources a blog has, its posts' comment feeds included. */
export async function countSourcesOfBlog(db: Db, blogId: number): Promise<number> {
  const row = await db.selectFrom('sources').select((eb) => eb.fn.countAll<number | string>().as('n')).where('blog_id', '=', blogId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Lists the sources that stand for the blogs themselves (post feed, site comment feed, listings
 * of pings), not their posts' comment feeds: a blog has one of those for every post, tens of
 * thousands in time, and what the registry, group and OPML pages say of a blog comes from its
 * own feeds. Reading every source of a blog with 20,000 posts took the registry page 7.9 s.
 */
export async function listBlogSources(db: Db, blogIds: number[]): Promise<Source[]> {
  const rows: Selectable<SourcesTable>[] = [];
  // The whole registry's OPML asks for every blog: SQLite takes at most 32,766 values in a
  // statement and PostgreSQL 65,535, so the ids go in parts well below either.
  for (let i = 0; i < blogIds.length; i += blogIdsPerStatement) {
    const part = blogIds.slice(i, i + blogIdsPerStatement);
    rows.push(...(await db.selectFrom('sources').selectAll().where('blog_id', 'in', part).where('kind', 'in', ownSourceKinds).execute()));
  }
  return rows.sort((a, b) => a.id - b.id).map(toSource);
}

/** Whether one of a blog's sources reads `url`. */
export async function blogHasSourceAt(db: Db, blogId: number, url: string): Promise<boolean> {
  const row = await db.selectFrom('sources').select('id').where('blog_id', '=', blogId).where('url', '=', url).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Lists the post feeds with this URL (to recognise a blog registered under another address). */
export async function listSourcesByFeedUrl(db: Db, url: string): Promise<Source[]> {
  const rows = await db.selectFrom('sources').selectAll().where('kind', '=', 'feed').where('url', '=', url).execute();
  return rows.map(toSource);
}

/** Makes a blog's stopped sources due again (its owner registered it anew). */
export async function enableSourcesOfBlog(db: Db, blogId: number, now: string): Promise<void> {
  await db
    .updateTable('sources')
    .set({ disabled_at: null, disabled_reason: null, consecutive_failures: 0, next_check_at: now, updated_at: now })
    .where('blog_id', '=', blogId)
    .where('disabled_at', 'is not', null)
    .execute();
}

/**
 * Makes a blog's post and comment feeds due now and forgets what they answered last (validators,
 * body hash), so the next poll reads every item again: a moderator approved the blog.
 */
export async function rereadSourcesOfBlog(db: Db, blogId: number, now: string): Promise<void> {
  await db
    .updateTable('sources')
    .set({ etag: null, last_modified: null, body_hash: null, next_check_at: now, disabled_at: null, disabled_reason: null, consecutive_failures: 0, updated_at: now })
    .where('blog_id', '=', blogId)
    .where('kind', 'in', ['feed', 'site-comments'])
    .execute();
}

/** Stops polling every source of a blog, with the reason shown on its page. */
export async function disableSourcesOfBlog(db: Db, blogId: number, reason: string, now: string): Promise<void> {
  await db.updateTable('sources').set({ disabled_at: now, disabled_reason: reason, updated_at: now }).where('blog_id', '=', blogId).where('disabled_at', 'is', null).execute();
}

/** Counts sources that are due now (for /health and the CLI's summary). */
export async function countDueSources(db: Db, now: string): Promise<number> {
  const row = await db
    .selectFrom('sources')
    .innerJoin('blogs', 'blogs.id', 'sources.blog_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('sources.disabled_at', 'is', null)
    .where('blogs.disabled_at', 'is', null)
    .where('sources.next_check_at', '<=', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What one poll of a source left behind; fields not given stay as they were. */
export interface SourcePollState {
  checkedAt: string;
  nextCheckAt: string;
  lastStatus: number | null;
  /** null on success (clears the error); a plain-language message on failure. */
  lastError: string | null;
  consecutiveFailures: number;
  succeeded: boolean;
  etag?: string | null;
  lastModified?: string | null;
  intervalHintSeconds?: number | null;
  redirectUrl?: string | null;
  redirectCount?: number;
  url?: string;
  format?: string | null;
  title?: string | null;
  disabledReason?: string | null;
  apiPostId?: number | null;
  gapNote?: string | null;
  gapPolls?: number;
  bodyHash?: string | null;
  itemsSkipped?: number;
}

/**
 * Records the outcome of a poll. Outside a transaction, the records of polls that end in the
 * same turn of the event loop commit together (commit-together.ts).
 */
export async function updateSourceAfterPoll(db: Db, id: number, state: SourcePollState): Promise<void> {
  const patch = pollPatch(state);
  await commitTogether(db, (d) => patchSource(d, patch, id));
}

function pollPatch(state: SourcePollState): Updateable<SourcesTable> {
  const patch: Updateable<SourcesTable> = {
    last_checked_at: state.checkedAt,
    next_check_at: state.nextCheckAt,
    last_status: state.lastStatus,
    consecutive_failures: state.consecutiveFailures,
    updated_at: state.checkedAt,
  };
  if (state.succeeded) {
    patch.last_success_at = state.checkedAt;
    patch.last_error = null;
  } else {
    patch.last_error = state.lastError;
    patch.last_error_at = state.checkedAt;
  }
  if (state.etag !== undefined) patch.etag = state.etag;
  if (state.lastModified !== undefined) patch.last_modified = state.lastModified;
  if (state.intervalHintSeconds !== undefined) patch.interval_hint_seconds = state.intervalHintSeconds;
  if (state.redirectUrl !== undefined) patch.redirect_url = state.redirectUrl;
  if (state.redirectCount !== undefined) patch.redirect_count = state.redirectCount;
  if (state.format !== undefined) patch.format = state.format;
  if (state.title !== undefined) patch.title = state.title;
  if (state.bodyHash !== undefined) patch.body_hash = state.bodyHash;
  if (state.itemsSkipped !== undefined) patch.items_skipped = state.itemsSkipped;
  if (state.url !== undefined) {
    patch.url = state.url;
    patch.host = hostOf(state.url);
    // Validators belong to the old URL.
    if (state.etag === undefined) patch.etag = null;
    if (state.lastModified === undefined) patch.last_modified = null;
    if (state.bodyHash === undefined) patch.body_hash = null;
  }
  if (state.apiPostId !== undefined) patch.api_post_id = state.apiPostId;
  if (state.gapNote !== undefined) patch.gap_note = state.gapNote;
  if (state.gapPolls !== undefined) patch.gap_polls = state.gapPolls;
  if (state.disabledReason !== undefined) {
    patch.disabled_reason = state.disabledReason;
    patch.disabled_at = state.disabledReason === null ? null : state.checkedAt;
  }
  return patch;
}

// A poll writes one of a few sets of columns (success, failure, with validators, moved…): one
// statement per set, compiled once.
const sourcePatches = new Map<string, PreparedStatement<readonly unknown[], unknown>>();

function patchSource(db: Db, patch: Updateable<SourcesTable>, id: number) {
  const columns = (Object.keys(patch) as (keyof Updateable<SourcesTable>)[]).filter((c) => patch[c] !== undefined);
  const shape = columns.join(' ');
  let statement = sourcePatches.get(shape);
  if (!statement) {
    statement = prepare(columns.length + 1, (db, args: readonly unknown[]) =>
      db
        .updateTable('sources')
        .set(Object.fromEntries(columns.map((c, i) => [c, args[i]])) as Updateable<SourcesTable>)
        .where('id', '=', args[columns.length] as number),
    );
    // The sets are few; a surprising number of them is only compiled for each call.
    if (sourcePatches.size < 64) sourcePatches.set(shape, statement);
  }
  return statement(db, [...columns.map((c) => patch[c]), id]);
}

/** Finds the post a post-comment source belongs to, with its newest comment, for scheduling. */
export async function findCommentActivity(db: Db, entryId: number): Promise<{ postAt: string; guid: string | null; url: string | null; lastActivityAt: string | null } | undefined> {
  const post = await db.selectFrom('entries').select(['sort_at', 'guid', 'url']).where('id', '=', entryId).executeTakeFirst();
  if (!post) return undefined;
  const newest = await db
    .selectFrom('edges')
    .innerJoin('entries', 'entries.id', 'edges.from_entry_id')
    .where('edges.to_entry_id', '=', entryId)
    .where('edges.type', '=', 'comment-of')
    .select((eb) => [eb.fn.max<string>('entries.sort_at').as('sort_at'), eb.fn.max<string>('entries.first_seen_at').as('seen_at')])
    .executeTakeFirst();
  // A comment found late (an old date, first seen now) is activity too.
  const candidates = [newest?.sort_at, newest?.seen_at].filter((v): v is string => !!v).sort();
  return { postAt: post.sort_at, guid: post.guid, url: post.url, lastActivityAt: candidates.at(-1) ?? null };
}

/** Makes a post's comment feed due now: the post reports new comments, or a ping arrived. */
export async function wakeCommentSources(db: Db, entryId: number, now: string): Promise<void> {
  await wakeCommentSourcesOf(db, [now, now, entryId, now]);
}

const wakeCommentSourcesOf = prepare(4, (db, [nextCheckAt, updatedAt, entryId, now]: [string, string, number, string]) =>
  db
    .updateTable('sources')
    .set({ next_check_at: nextCheckAt, updated_at: updatedAt })
    .where('entry_id', '=', entryId)
    .where('kind', '=', 'post-comments')
    .where('disabled_at', 'is', null)
    .where('next_check_at', '>', now),
);

/** Marks a source as pushed by a WebSub hub until `until` (null: polled normally again). */
export async function updateSourcePushedUntil(db: Db, id: number, until: string | null, now: string): Promise<void> {
  await db.updateTable('sources').set({ pushed_until: until, updated_at: now }).where('id', '=', id).execute();
}
