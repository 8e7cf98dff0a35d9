// store: every statement that SQLite and PostgreSQL need written differently, in one place:
// full-text search (FTS5 against a tsvector), the lock of a claim's due rows (FOR UPDATE SKIP LOCKED),
// the locks that keep threading right across processes (names, conversations), host slots and
// rate limits shared by processes, waking other processes (NOTIFY), commits that wait to be
// shared (SQLite), lists bound as one JSON argument, and whether a reading connection saw a
// commit. The rest of the store is written once for both.
import { CompiledQuery, sql, type RawBuilder, type SelectQueryBuilder, type Transaction } from 'kysely';
import { isPostgres, planForValuesMark } from '../db/dialect.ts';
import { commitMayWaitMark, commitNowMark, type Db } from '../db/open.ts';
import type { Database } from '../db/schema.ts';
import { snippetMarks } from '../domain/models.ts';

/**
 * The text values of a JSON array as a table of one column, `value`: a list of any length bound as
 * one argument, so a statement over it is prepared (and on PostgreSQL planned) once. SQLite's
 * json_each, PostgreSQL's json_array_elements_text.
 */
export function jsonTextValues(db: Db, json: string) {
  return isPostgres(db) ? sql<{ value: string }>`json_array_elements_text(cast(${json} as json))` : sql<{ value: string }>`json_each(${json})`;
}

/** The pieces of a full-text query over entries for the words a reader typed. */
export interface FullTextQuery {
  /**
   * The newest `window` entries matching every word that `alive` lets through (a condition on
   * the entry as `e`), as a table of `id` and `score` (lower ranks first: a word in the title
   * counts most, then the author, then the text) and, on SQLite, `snippet`.
   */
  newestMatches(window: number, alive: RawBuilder<boolean>): RawBuilder<unknown>;
  /** Plain text around the match of entry `e` among those matches (alias `m`), the matched words between snippetMarks. */
  snippet: RawBuilder<string | null>;
}

/**
 * Words of this many letters or more match as prefixes ("Debatte" finds "Debatten"); shorter
 * ones match whole words only: a prefix of one or two letters stands for thousands of words, and
 * the index merges all their lists before it can rank one entry.
 */
export const prefixLetters = 3;

/** An FTS5 query in which every word must occur (as a prefix, when long enough); quoted, so no word is an operator. */
export function ftsMatch(words: string[]): string {
  return words.map((w) => (w.length >= prefixLetters ? `"${w}"*` : `"${w}"`)).join(' ');
}

/**
 * Full-text search: SQLite's FTS5 table entries_fts (diacritics removed by its tokenizer), or
 * PostgreSQL's entry_search vectors (diacritics removed by unaccent in the palaver_search
 * configuration); from migrations 0004 and 0016. `words` are letters and digits only.
 * Both walk the index newest first and rank only the matches of the window: ranking every match
 * of a common word read every entry (a second of the event loop for "die" over 200,000).
 */
export function fullTextQuery(db: Db, words: string[]): FullTextQuery {
  if (isPostgres(db)) {
    const query = sql`to_tsquery('palaver_search', ${words.map((w) => (w.length >= prefixLetters ? `${w}:*` : w)).join(' & ')})`;
    return {
      // ts_rank's default weights are 1.0 (A, title), 0.4 (B, author), 0.1 (D, text).
      newestMatches: (window, alive) => sql`select ${sql.raw(planForValuesMark)} e.id, -ts_rank(s.search_vector, ${query}) as score
        from entry_search s join entries e on e.id = s.entry_id
        where s.search_vector @@ ${query} and ${alive}
        order by s.entry_id desc limit ${window}`,
      snippet: sql<string | null>`ts_headline('palaver_search', coalesce(e.content_text, ''), ${query}, ${`StartSel="${snippetMarks.start}", StopSel="${snippetMarks.end}", MaxWords=24, MinWords=12, ShortWord=0`})`,
    };
  }
  return {
    // The snippet is made inside: FTS5 makes it from the match it holds, which the outer query no longer has.
    newestMatches: (window, alive) => sql`select e.id, bm25(entries_fts, 10.0, 4.0, 1.0) as score,
        snippet(entries_fts, 2, ${snippetMarks.start}, ${snippetMarks.end}, '…', 24) as snippet
      from entries_fts join entries e on e.id = entries_fts.rowid
      where entries_fts match ${ftsMatch(words)} and ${alive}
      order by entries_fts.rowid desc limit ${window}`,
    snippet: sql<string | null>`m.snippet`,
  };
}

/**
 * Makes a claim's due query lock the rows of `table` it picks, passing over rows another claim
 * holds: PostgreSQL's FOR UPDATE OF table SKIP LOCKED, so that claims in several processes take
 * disjoint rows without waiting for each other. PostgreSQL locks each row as the query reaches
 * it, below its LIMIT, so a skipped row makes room for the next due one; and a row another claim
 * leased and committed after this statement began is locked in its new version, whose conditions
 * in this query are checked again (READ COMMITTED's re-check): no longer due, it is passed over
 * too. SQLite needs nothing: a writing statement holds the database's one write lock from its
 * start to its end.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any due query, whatever it joins and selects
export function lockClaimedRows<Q extends SelectQueryBuilder<Database, any, { id: number }>>(db: Db, query: Q, table: string): Q {
  if (!isPostgres(db)) return query;
  // kysely types `of` by the query's tables; `table` is one of them, named without an alias.
  return query.forUpdate(table as never).skipLocked() as Q;
}

// What a transaction holds already: a name or a conversation is locked once per transaction.
const heldNames = new WeakMap<object, Set<string>>();
const heldConversations = new WeakMap<object, Set<number>>();

function heldBy<T>(held: WeakMap<object, Set<T>>, db: Db): Set<T> {
  let set = held.get(db);
  if (!set) {
    set = new Set();
    // Outside a transaction a lock ends with its statement: nothing to remember.
    if (db.isTransaction) held.set(db, set);
  }
  return set;
}

/**
 * Locks the names threading finds entries by (an entry's identity in its blog, its URL key, its
 * guid, the targets of its edges; see src/ingest/record-entry.ts) until the transaction ends, so
 * that two processes storing an entry and an answer naming it, or the same entry twice, take
 * turns and the second sees what the first wrote; entries whose names differ are stored side by
 * side. SQLite has one writer at a time: nothing to lock. PostgreSQL: transaction-scoped
 * advisory locks on 64-bit hashes of the names, taken in the order of the hashes in one
 * statement, so two transactions locking overlapping names never wait for each other in a
 * circle (the ingest of a feed locks the names of all its items at once, for that reason).
 */
export async function lockThreadingNames(db: Db, names: Iterable<string>): Promise<void> {
  if (!isPostgres(db)) return;
  const held = heldBy(heldNames, db);
  const wanted = [...new Set(names)].filter((n) => !held.has(n));
  if (wanted.length === 0) return;
  // PostgreSQL evaluates a volatile function of the select list after the sort: in hash order.
  await sql`select pg_advisory_xact_lock(h) from (
      select distinct hashtextextended(${'palaver threading '} || n, 0) as h from unnest(${wanted}::text[]) n
    ) names order by h`.execute(db);
  for (const n of wanted) held.add(n);
}

/**
 * Takes ids for `count` new entries ahead of their rows, in ascending order: a part of a feed
 * writes each new entry once, with its conversation, after threading it (held-threading.ts).
 * PostgreSQL hands them out from the entries' sequence, never twice. SQLite: after the last id it
 * handed out (AUTOINCREMENT's sqlite_sequence); the transaction holds the one write lock from its
 * BEGIN IMMEDIATE, and the part writes the rows before any other entry in it.
 */
export async function takeEntryIds(db: Db, count: number): Promise<number[]> {
  if (count === 0) return [];
  if (isPostgres(db)) {
    const { rows } = await db.executeQuery<{ id: number }>(CompiledQuery.raw(`select nextval(pg_get_serial_sequence('entries', 'id'))::integer as id from generate_series(1, $1::integer)`, [count]));
    return rows.map((r) => r.id).sort((a, b) => a - b);
  }
  const { rows } = await db.executeQuery<{ seq: number }>(CompiledQuery.raw(`select seq from sqlite_sequence where name = 'entries'`));
  const last = rows[0]?.seq ?? 0;
  return Array.from({ length: count }, (_, i) => last + 1 + i);
}

/**
 * Locks conversations until the transaction ends, against the merges and arrivals of other
 * transactions (PostgreSQL: their rows FOR UPDATE, in id order): what a conversation holds and
 * counts is read and written by one transaction at a time. Returns, for each conversation it
 * locked now, the one it had been merged into when the lock was taken (null: none); those this
 * transaction held already are left out (only it can have merged them since). Null when the
 * database needs no such lock (SQLite: one writer at a time).
 */
export async function lockConversations(db: Db, ids: number[]): Promise<Map<number, number | null> | null> {
  if (!isPostgres(db)) return null;
  const held = heldBy(heldConversations, db);
  const wanted = [...new Set(ids)].filter((id) => !held.has(id)).sort((a, b) => a - b);
  const merged = new Map<number, number | null>();
  if (wanted.length > 0) {
    const rows = await sql<{ id: number; merged_into_id: number | null }>`
      select id, merged_into_id from conversations where id in (${sql.join(wanted)}) order by id for update`.execute(db);
    for (const row of rows.rows) merged.set(row.id, row.merged_into_id);
    for (const id of wanted) held.add(id);
  }
  return merged;
}

/**
 * lockConversations for the conversations these entries are in, found by the locking statement
 * itself: the entries (those in a conversation) with their conversation's size and the
 * conversation it was merged into when the lock was taken. A conversation another transaction
 * merged meanwhile shows as merged (the locked row is read again once the lock is had); an entry
 * is read as the statement began, so the caller reads the entries again when one is merged.
 * Null when the database needs no such lock (SQLite).
 */
export async function lockConversationsOfEntries(
  db: Db,
  entryIds: number[],
): Promise<{ id: number; conversation_id: number; entry_count: number; merged_into_id: number | null }[] | null> {
  if (!isPostgres(db)) return null;
  if (entryIds.length === 0) return [];
  const held = heldBy(heldConversations, db);
  // In the conversations' id order, as lockConversations takes them.
  const { rows } = await sql<{ id: number; conversation_id: number; entry_count: number; merged_into_id: number | null }>`
    select e.id, e.conversation_id, c.entry_count, c.merged_into_id from entries e join conversations c on c.id = e.conversation_id
     where e.id in (${sql.join(entryIds)}) order by c.id for update of c`.execute(db);
  for (const row of rows) held.add(row.conversation_id);
  return rows;
}

/**
 * Whether an error is PostgreSQL choosing this transaction as the one to end in a deadlock (or a
 * serialization failure): the transaction is rolled back whole, and running it again succeeds.
 * Threading's locks are taken as entries reveal what they touch, so two transactions can still
 * meet in a circle now and then.
 */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/**
 * Runs `work` in a transaction, again from the start when the database ended it over a deadlock
 * (isRetryableConflict), a few times with a short random pause. `work` must keep nothing of an
 * attempt that did not commit.
 */
export async function transactionRetryingConflicts<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (attempt >= attempts || !isRetryableConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/**
 * Lets the commit of the transaction `trx` wait (commitWaitMs at most) for the transactions after
 * it, to share one commit: on SQLite, for the poller's writes, which a crash only makes it poll
 * again. During a cold import each feed's transaction, the records of its poll and the claims
 * of the next sources wrote the same pages to the write-ahead log again, about 150 pages a feed
 * (the leaves of the entries' indexes, the sources rows). PostgreSQL commits at once: its server
 * already writes concurrent commits to its log together.
 */
export async function letCommitWait(trx: Db): Promise<void> {
  if (!isPostgres(trx)) await trx.executeQuery(commitMayWait);
}

/** Commits the writes whose commit waits (letCommitWait), if any: at the end of a poll, before saying what it stored. */
export async function commitWaitingWrites(db: Db): Promise<void> {
  if (!isPostgres(db)) await db.executeQuery(commitNow);
}

/**
 * A stamp that stays the same while nothing is committed, for a connection that only reads
 * (SQLite's data_version, which moves with every commit of another connection): what was read
 * under one stamp still holds under it. Null on PostgreSQL, whose commits no such number follows,
 * and on a connection that wrote (its own writes, committed or rolled back, move no stamp).
 */
export async function readOnlyStamp(db: Db): Promise<string | null> {
  if (isPostgres(db)) return null;
  const row = (await db.executeQuery(dataVersion)).rows[0] as { version: number; own: number } | undefined;
  return row && Number(row.own) === 0 ? String(row.version) : null;
}

const dataVersion = CompiledQuery.raw('select data_version as version, total_changes() as own from pragma_data_version');

// Built once: the poller asks for them with every feed.
const commitMayWait = CompiledQuery.raw(commitMayWaitMark);
const commitNow = CompiledQuery.raw(commitNowMark);

/**
 * Takes a free one of `limit` slots of `host` for `holder` until `until`, or none (null) when all
 * are held by leases that have not ended. PostgreSQL only (several processes share the limit;
 * SQLite's single process limits in memory). Two processes racing for one slot: the insert of
 * one conflicts and finds a live lease, so it takes nothing and tries again.
 */
export async function takeHostSlot(db: Db, host: string, limit: number, holder: string, now: string, until: string): Promise<number | null> {
  const rows = await sql<{ slot: number }>`
    insert into host_slots (host, slot, holder, leased_until)
    select ${host}, s, ${holder}, ${until} from generate_series(0, ${limit - 1}::int) s
    where not exists (select 1 from host_slots h where h.host = ${host} and h.slot = s and h.leased_until > ${now})
    order by s limit 1
    on conflict (host, slot) do update set holder = excluded.holder, leased_until = excluded.leased_until
      where host_slots.leased_until <= ${now}
    returning slot`.execute(db);
  return rows.rows[0]?.slot ?? null;
}

/** Gives a slot back (only the holder's: a lease that ran out may have passed to another). */
export async function releaseHostSlot(db: Db, host: string, slot: number, holder: string): Promise<void> {
  await db.deleteFrom('host_slots').where('host', '=', host).where('slot', '=', slot).where('holder', '=', holder).execute();
}

/**
 * Counts an event of `scope` for `key` when fewer than `limit` happened since `since`, and tells
 * whether it counted; also gives the oldest event still in the window (for Retry-After). The
 * events of one key are counted one request at a time (an advisory lock on the key), so
 * processes side by side never let more through than the limit.
 */
export async function takeRateLimit(db: Db, scope: string, key: string, limit: number, since: string, at: string): Promise<{ taken: boolean; oldest: string | null }> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`${scope} ${key}`}, 0))`.execute(trx);
    await trx.deleteFrom('rate_limit_hits').where('scope', '=', scope).where('key', '=', key).where('at', '<=', since).execute();
    const row = await trx
      .selectFrom('rate_limit_hits')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('at').as('oldest')])
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    const n = Number(row.n);
    if (n >= limit) return { taken: false, oldest: (row.oldest as string | null) ?? null };
    await trx.insertInto('rate_limit_hits').values({ scope, key, at }).execute();
    return { taken: true, oldest: ((row.oldest as string | null) ?? at) };
  });
}

/** The oldest event of `key` in the window, or null when there is none. */
export async function oldestRateLimitHit(db: Db, scope: string, key: string, since: string): Promise<{ count: number; oldest: string | null }> {
  const row = await db
    .selectFrom('rate_limit_hits')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('at').as('oldest')])
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('at', '>', since)
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), oldest: (row.oldest as string | null) ?? null };
}

/** Forgets the events of a scope older than its window (keys that stopped sending). */
export async function forgetRateLimitHits(db: Db, scope: string, since: string): Promise<void> {
  await db.deleteFrom('rate_limit_hits').where('scope', '=', scope).where('at', '<=', since).execute();
}

// The advisory lock key of automatic following's claims; distinct from threadingLockKey.
const autoFollowLockKey = 7_240_112_015;

/**
 * Serializes the claims of automatic following across processes, so that the day's limit is
 * counted and spent by one claim at a time (PostgreSQL: a transaction-scoped advisory lock;
 * SQLite's single writer already does it).
 */
export async function serializeAutoFollowClaims(trx: Transaction<Database>): Promise<void> {
  if (!isPostgres(trx)) return;
  await sql`select pg_advisory_xact_lock(${sql.lit(autoFollowLockKey)})`.execute(trx);
}

/** The channel of NOTIFY that wakes idle workers in other processes; the payload names the queue. */
export const workChannel = 'palaver_work';

/** Tells the workers of other processes that `queue` has work (PostgreSQL; nothing on SQLite). */
export async function notifyWork(db: Db, queue: string): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`select pg_notify(${workChannel}, ${queue})`.execute(db);
}
