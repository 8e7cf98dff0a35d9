// store: which conversations a group has (those holding an entry of a member blog inside the
// group's dates, any date for a group that is no event), as ids kept in memory between requests
// while the member blogs' entries say they still hold (its pages, feeds and searches read those);
// and the version a group's pages and feeds are cached under, read from those conversations.
import { sql, type SqlBool } from 'kysely';
import type { Db } from '../db/open.ts';
import { jsonTextValues, readOnlyStamp } from './dialect.ts';

/**
 * Whether an entry is its own node, not a record of another. Nearly every entry has no same_as_id,
 * yet without table statistics SQLite walks the same_as_id index for "same_as_id is null" and
 * reads the whole table instead of the member blogs' or the conversations' entries. Written
 * through coalesce the test is a plain filter on the rows the blog or conversation index found
 * (PostgreSQL reads it the same way).
 */
export function isOwnRecord(column: 'ge.same_as_id' | 'entries.same_as_id' | 'same_as_id') {
  return sql<SqlBool>`coalesce(${sql.ref(column)}, 0) = 0`;
}

/** Which group: by id (pages, API) or by slug (feed scopes, WebSub topics). */
export type GroupKey = { id: number } | { slug: string };

/**
 * The ids of a group's conversations, as a subquery: conversations holding an entry of a member
 * blog whose time lies inside the group's dates. It reads the row of every member entry (280 ms
 * for 110,000 of them on SQLite), so pages, feeds, searches and the API read the ids kept
 * (listGroupConversationIds).
 */
function groupConversationIds(db: Db, group: GroupKey) {
  let q = db
    .selectFrom('group_members as gm')
    .innerJoin('groups as g', 'g.id', 'gm.group_id')
    .innerJoin('entries as ge', 'ge.blog_id', 'gm.blog_id')
    .select('ge.conversation_id')
    .where(isOwnRecord('ge.same_as_id'))
    .where('ge.conversation_id', 'is not', null)
    .where((eb) => eb.or([eb('g.starts_at', 'is', null), eb('ge.sort_at', '>=', eb.ref('g.starts_at'))]))
    .where((eb) => eb.or([eb('g.ends_at', 'is', null), eb('ge.sort_at', '<', eb.ref('g.ends_at'))]));
  q = 'id' in group ? q.where('gm.group_id', '=', group.id) : q.where('g.slug', '=', group.slug);
  return q;
}

/** A list of conversation ids as a subquery of one column, `id`, bound as one JSON argument. */
export function conversationIdsIn(db: Db, ids: readonly number[]) {
  return db.selectFrom(jsonTextValues(db, JSON.stringify(ids)).as('v')).select(sql<number>`cast(${sql.ref('v.value')} as integer)`.as('id'));
}

type GroupRow = { id: number; updated_at: string; starts_at: string | null; ends_at: string | null };
type Totals = { n: number; ids: string; entries: string; changed: string; merged: number };
// `stamp`: the reading connection's stamp (readOnlyStamp) when the ids and totals were last read
// or found to hold; while it stays, nothing was committed and they hold without reading.
type Kept = { signature: string; ids: number[]; totals: Totals; stamp: string | null };

// Per database handle (the read connection keeps its own), least recently used first. A group of
// 1,000 blogs may be in a million conversations: the ids kept are bounded, not the groups.
const keptByDb = new WeakMap<Db, Map<number, Kept>>();
const keptIdsAtMost = 2_000_000;

function keep(db: Db, groupId: number, kept: Kept): Kept {
  let groups = keptByDb.get(db);
  if (!groups) keptByDb.set(db, (groups = new Map()));
  groups.delete(groupId);
  groups.set(groupId, kept);
  let total = 0;
  for (const k of groups.values()) total += k.ids.length;
  for (const [id, k] of groups) {
    if (total <= keptIdsAtMost || id === groupId) break;
    groups.delete(id);
    total -= k.ids.length;
  }
  return kept;
}

/**
 * What the group's conversations are made from, read from indexes only (the member blogs'
 * entries by (blog_id, same_as_id), (blog_id, sort_at) and (conversation_id, blog_id)): the
 * members; the count and id sum of their own entries, of those inside the dates and of those in
 * no conversation yet. An entry that arrives, goes, becomes a record of another or stops being
 * one, moves across the dates or is threaded after a moderator let its blog in changes one of
 * them; the only other way a member entry changes conversation is a merge, which
 * readKeptConversations finds in the conversations' rows.
 */
async function readSignature(db: Db, g: GroupRow): Promise<string> {
  const members = db.selectFrom('group_members').select('blog_id').where('group_id', '=', g.id);
  // Each a range of one index, read without the rows: (blog_id, same_as_id) holds "same_as_id is null".
  const of = (part: string) => db.selectFrom('entries').select((eb) => [sql.lit(part).as('part'), eb.fn.countAll<number | string>().as('n'), eb.fn.sum<number | string | null>('id').as('s')]).where('blog_id', 'in', members);
  let q = db
    .selectFrom('group_members')
    .select((eb) => [sql.lit('members').as('part'), eb.fn.countAll<number | string>().as('n'), eb.fn.sum<number | string | null>('blog_id').as('s')])
    .where('group_id', '=', g.id)
    .unionAll(of('nodes').where('same_as_id', 'is', null))
    .unionAll(of('unthreaded').where('conversation_id', 'is', null));
  if (g.starts_at !== null || g.ends_at !== null) {
    let dated = of('dated');
    if (g.starts_at !== null) dated = dated.where('sort_at', '>=', g.starts_at);
    if (g.ends_at !== null) dated = dated.where('sort_at', '<', g.ends_at);
    q = q.unionAll(dated);
  }
  const rows = await q.execute();
  const byPart = new Map(rows.map((r) => [r.part, `${r.n}/${r.s ?? 0}`]));
  return [g.updated_at, g.starts_at ?? '', g.ends_at ?? '', ...['members', 'nodes', 'unthreaded', 'dated'].map((p) => byPart.get(p) ?? '')].join(' ');
}

/** What the version reads of a group's conversations: how many, their id sum, entries, newest change, merged ones. */
async function readTotals(db: Db, ids: readonly number[]): Promise<Totals> {
  const row = await db
    .selectFrom('conversations')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('n'),
      eb.fn.sum<number | string | null>('id').as('ids'),
      eb.fn.sum<number | string | null>('entry_count').as('entries'),
      eb.fn.max<string | null>('updated_at').as('changed'),
      eb.fn.count<number | string>('merged_into_id').as('merged'),
    ])
    .where('id', 'in', conversationIdsIn(db, ids))
    .executeTakeFirstOrThrow();
  return { n: Number(row.n), ids: String(row.ids ?? 0), entries: String(row.entries ?? 0), changed: row.changed ?? '', merged: Number(row.merged) };
}

/**
 * A group's conversation ids as kept, with their totals; read anew when the signature changed or
 * one of them merged (its member entries moved to the conversation it merged into). On SQLite's
 * reading connection, what was read since the last commit holds as it is: a group page read on a
 * cache miss asks for the ids for its version, its count and its list, and for a group of 110,000
 * member entries each reading of the signature and totals takes about 6 ms.
 */
async function readKeptConversations(db: Db, g: GroupRow): Promise<Kept> {
  const stamp = await readOnlyStamp(db);
  const held = keptByDb.get(db)?.get(g.id);
  if (stamp !== null && held?.stamp === stamp) return keep(db, g.id, held);
  // The signature before the ids: ids read after it are as new as it says, or newer (then the
  // next request reads another signature and reads them again).
  const signature = await readSignature(db, g);
  if (held?.signature === signature) {
    const totals = await readTotals(db, held.ids);
    if (totals.merged === 0) return keep(db, g.id, { signature, ids: held.ids, totals, stamp });
  }
  const rows = await groupConversationIds(db, { id: g.id }).distinct().execute();
  const ids = rows.map((r) => r.conversation_id!);
  return keep(db, g.id, { signature, ids, totals: await readTotals(db, ids), stamp });
}

async function findGroupRow(db: Db, group: GroupKey): Promise<GroupRow | undefined> {
  const q = db.selectFrom('groups').select(['id', 'updated_at', 'starts_at', 'ends_at']);
  return ('id' in group ? q.where('id', '=', group.id) : q.where('slug', '=', group.slug)).executeTakeFirst();
}

/** Lists the ids of a group's conversations, by id or slug (none for no such group). */
export async function listGroupConversationIds(db: Db, group: number | GroupKey): Promise<number[]> {
  const g = await findGroupRow(db, typeof group === 'number' ? { id: group } : group);
  return g ? (await readKeptConversations(db, g)).ids : [];
}

/**
 * Returns a key that changes whenever a group's page or feeds may have changed: the group itself
 * (its members and dates), which conversations it has, and each of their rows, whose updated_at
 * and size threading moves on every arrival, edit, tombstone, new channel and merge (as a
 * conversation's own pages rely on). Read from indexes and one row per conversation: 12–21 ms
 * for 110,000 member entries in 10,000 conversations, where reading every entry took 1.1 s.
 */
export async function findGroupVersion(db: Db, group: GroupKey): Promise<string> {
  // Nothing committed since the version was read (SQLite's pages' connection): it still holds,
  // and a crowd on a big group's page costs one statement a request, not the reads below.
  const stamp = await readOnlyStamp(db);
  const key = 'id' in group ? `id ${group.id}` : `slug ${group.slug}`;
  const versions = stamp === null ? null : (versionsByDb.get(db) ?? versionsByDb.set(db, new Map()).get(db)!);
  const held = versions?.get(key);
  if (held && held.stamp === stamp) return held.version;
  const g = await findGroupRow(db, group);
  let version = 'g:none';
  if (g) {
    const { signature, totals: t } = await readKeptConversations(db, g);
    version = `g${g.id}:${signature}:${t.n}:${t.ids}:${t.entries}:${t.changed}:${t.merged}`;
  }
  if (versions && stamp !== null) {
    versions.delete(key);
    versions.set(key, { stamp, version });
    if (versions.size > versionsHeldAtMost) versions.delete(versions.keys().next().value!);
  }
  return version;
}

// Per reading connection, least recently read first: a version and the stamp it was read under.
const versionsByDb = new WeakMap<Db, Map<string, { stamp: string; version: string }>>();
const versionsHeldAtMost = 1000;
