// store: reading conversations for pages, feeds and the API: the ranked list, one
// conversation's entries with their channels and the entry each one answers.
import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/open.ts';
import type { ConversationsTable } from '../db/schema.ts';
import type { BlogRef, Conversation, ConversationEntry, EntryWithBlog } from '../domain/models.ts';
import type { Channel, EdgeType } from '../domain/vocabulary.ts';
import { findSurvivingConversationId } from './conversation-union.ts';
import { toEntryWithBlog, selectEntriesWithBlog } from './entries.ts';
import { prepare } from './prepared.ts';

// Lists of ids stay well under SQLite's limit of bound variables per statement.
const idChunk = 500;

/** Awaited between the parts of a long read; a caller on the event loop gives it a turn there. */
export type ReadPause = () => Promise<void>;
const noPause: ReadPause = async () => {};

/** Turns a row of conversations into a Conversation (for the store modules that list them). */
export function toConversation(row: Selectable<ConversationsTable>): Conversation {
  return {
    id: row.id,
    rootEntryId: row.root_entry_id,
    title: row.title,
    entryCount: row.entry_count,
    postCount: row.post_count,
    commentCount: row.comment_count,
    linkbackCount: row.linkback_count,
    blogCount: row.blog_count,
    authorCount: row.author_count,
    missingCount: row.missing_count,
    firstActivityAt: row.first_activity_at,
    lastActivityAt: row.last_activity_at,
    rank: row.rank,
    updatedAt: row.updated_at,
  };
}

function liveConversations(db: Db) {
  return db.selectFrom('conversations').selectAll().where('merged_into_id', 'is', null).where('entry_count', '>', 0);
}

/** The live conversations a list shows, narrowed (a group's, group-conversations.ts). */
export type LiveConversations = ReturnType<typeof liveConversations>;

/**
 * Lists live conversations, best ranked first; after a (rank, id) position when given; only
 * those `among` keeps when given.
 */
export async function listConversations(
  db: Db,
  options: { limit: number; offset?: number; after?: { rank: number; id: number } },
  among: (q: LiveConversations) => LiveConversations = (q) => q,
): Promise<Conversation[]> {
  let q = among(liveConversations(db));
  const after = options.after;
  if (after) q = q.where((eb) => eb.or([eb('rank', '<', after.rank), eb.and([eb('rank', '=', after.rank), eb('id', '<', after.id)])]));
  const rows = await q
    .orderBy('rank', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit)
    .offset(options.offset ?? 0)
    .execute();
  return rows.map(toConversation);
}

/** Counts live conversations. */
export async function countConversations(db: Db): Promise<number> {
  const row = await db
    .selectFrom('conversations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('merged_into_id', 'is', null)
    .where('entry_count', '>', 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Finds a conversation, or where it went when it merged into another. */
export async function findConversation(db: Db, id: number): Promise<{ conversation: Conversation } | { mergedInto: number } | undefined> {
  const row = await db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  if (row.merged_into_id !== null) return { mergedInto: await findSurvivingConversationId(db, row.merged_into_id) };
  return { conversation: toConversation(row) };
}

// Which edge says best what an entry answers: an explicit reply, then the post a comment is
// on, then a ping's target, then a link in the body.
const replyPreference: EdgeType[] = ['reply-to', 'comment-of', 'linkback', 'links-to'];

/** One visible entry of a conversation, as much as ordering and paging it needs. */
export interface ConversationOutlineEntry {
  id: number;
  sortAt: string;
  /** The entry of this conversation it answers, or null. */
  inReplyToId: number | null;
  /** Characters of its content (or excerpt): what it adds to a page. */
  size: number;
}

export interface ConversationShape {
  /** Every entry of the conversation in time order, records of pings included. */
  rows: { id: number; same_as_id: number | null; tombstoned_at: string | null; sort_at: string; size: number }[];
  /** The node an entry stands for: itself, or the post a record of a ping merged with. */
  resolve: (id: number) => number;
  best: Map<number, { to: number; type: EdgeType; own: boolean }>;
  /** The entries shown, in time order: each node once. */
  visible: ConversationShape['rows'];
  /** The edges from its entries that reach an entry (the map draws them from here). */
  edges: { from_entry_id: number; to_entry_id: number | null; type: EdgeType }[];
}

// The ids of a conversation in time order, `limit` of them after (sort_at, id), from its index.
const idsInTimeOrder = prepare(4, (db, [conversationId, afterSortAt, afterId, limit]: [number, string, number, number]) =>
  db
    .selectFrom('entries')
    .select(['id', 'sort_at'])
    .where('conversation_id', '=', conversationId)
    .where((eb) => eb(eb.refTuple('sort_at', 'id'), '>', eb.tuple(afterSortAt, afterId)))
    .orderBy('sort_at')
    .orderBy('id')
    .limit(limit),
);
// Edges or entries worked through in memory between two calls of a read's pause: 100,000 of
// them took 50-150 ms in one go.
export const workPerPause = 4_096;

// Ids read in one step of the time order: one statement for all of a debate of 100,000 entries
// held the event loop for 65-150 ms on its own, a step of these 1-3 ms.
const idsPerStep = 2_000;

/** A conversation's entry ids in time order, read in steps with `pause` awaited between them; each id once. */
async function readIdsInTimeOrder(db: Db, conversationId: number, pause: ReadPause): Promise<number[]> {
  const ids: number[] = [];
  const seen = new Set<number>();
  let after = { sortAt: '', id: 0 };
  for (;;) {
    const { rows } = await idsInTimeOrder(db, [conversationId, after.sortAt, after.id, idsPerStep]);
    // An entry whose time moved later while the debate was read comes again: it keeps its first place.
    for (const r of rows) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      ids.push(r.id);
    }
    if (rows.length < idsPerStep) return ids;
    const last = rows[rows.length - 1]!;
    after = { sortAt: last.sort_at, id: last.id };
    await pause();
  }
}

// Reads a conversation's shape without its contents: which entries it shows and what each one
// answers. The ids come first, in time order from the index in steps, then the rows and edges in
// parts of ids, with `pause` awaited between steps and parts (a page gives the event loop a turn
// there: a debate of a hundred thousand entries takes about a second to read). An entry that
// moves to another conversation while it is read is left out.
async function loadConversationShape(db: Db, conversationId: number, pause: ReadPause = noPause): Promise<ConversationShape> {
  const order = await readIdsInTimeOrder(db, conversationId, pause);
  const rowOf = new Map<number, ConversationShape['rows'][number]>();
  const edges: ConversationShape['edges'] = [];
  for (let i = 0; i < order.length; i += idChunk) {
    await pause();
    const ids = order.slice(i, i + idChunk);
    const part = await db
      .selectFrom('entries')
      .select(['id', 'same_as_id', 'tombstoned_at', 'sort_at', 'conversation_id', sql<number>`coalesce(length(content_html), length(excerpt), 0)`.as('size')])
      .where('id', 'in', ids)
      .execute();
    // Checked here rather than in the statement, which SQLite would then answer from the index of conversations.
    for (const { conversation_id, ...r } of part) if (conversation_id === conversationId) rowOf.set(r.id, r);
    edges.push(...(await db.selectFrom('edges').select(['from_entry_id', 'to_entry_id', 'type']).where('from_entry_id', 'in', ids).where('to_entry_id', 'is not', null).execute()));
  }
  const rows = order.flatMap((id) => rowOf.get(id) ?? []);
  const primaryOf = new Map<number, number>();
  for (const r of rows) primaryOf.set(r.id, r.same_as_id ?? r.id);
  // Records of a ping may point at a post that moved conversations since: follow in memory.
  const resolve = (id: number): number => {
    let cur = id;
    for (let i = 0; i < 8 && primaryOf.get(cur) !== undefined && primaryOf.get(cur) !== cur; i++) cur = primaryOf.get(cur)!;
    return cur;
  };
  await pause();
  const best = new Map<number, { to: number; type: EdgeType; own: boolean }>();
  for (let k = 0; k < edges.length; k++) {
    if (k % workPerPause === workPerPause - 1) await pause();
    const e = edges[k]!;
    const from = resolve(e.from_entry_id);
    const to = resolve(e.to_entry_id!);
    if (from === to || !primaryOf.has(to) || e.type === 'same-as') continue;
    const own = from === e.from_entry_id;
    const current = best.get(from);
    const better =
      !current ||
      // The entry's own statements outrank those of its ping records.
      (own && !current.own) ||
      (own === current.own && replyPreference.indexOf(e.type) < replyPreference.indexOf(current.type));
    if (better) best.set(from, { to, type: e.type, own });
  }
  await pause();
  const visible = rows.filter((r) => r.same_as_id === null || resolve(r.id) === r.id);
  return { rows, resolve, best, visible, edges };
}

/** A conversation's shape as read once: its outline, and what reading pages of it needs. */
export interface ConversationShapeRead {
  /** Every shown entry in time order, without contents. */
  readonly outline: ConversationOutlineEntry[];
  readonly shape: ConversationShape;
}

/** Reads a conversation's shape (which entries it shows, what each answers) without contents. */
export async function readConversationShape(db: Db, conversationId: number, options: { pause?: ReadPause } = {}): Promise<ConversationShapeRead> {
  const shape = await loadConversationShape(db, conversationId, options.pause);
  await options.pause?.();
  return { shape, outline: shape.visible.map((r) => ({ id: r.id, sortAt: r.sort_at, inReplyToId: shape.best.get(r.id)?.to ?? null, size: Number(r.size) })) };
}

/**
 * Lists a conversation's entries in time order, each once, with channels and what it answers;
 * with `ids`, only those entries (a page of a large conversation), with `shape` as read before.
 */
export async function listConversationEntries(
  db: Db,
  conversationId: number,
  options: { ids?: Iterable<number>; shape?: ConversationShapeRead } = {},
): Promise<ConversationEntry[]> {
  const shape = options.shape?.shape ?? (await loadConversationShape(db, conversationId));
  return readEntries(db, conversationId, shape, options.ids ? new Set(options.ids) : null);
}

async function readEntries(db: Db, conversationId: number, shape: ConversationShape, wanted: Set<number> | null): Promise<ConversationEntry[]> {
  const chosen = wanted ? shape.visible.filter((r) => wanted.has(r.id)) : shape.visible;
  if (chosen.length === 0) return [];
  const chosenIds = new Set(chosen.map((r) => r.id));

  const full = [];
  if (wanted) {
    const list = [...chosenIds];
    for (let i = 0; i < list.length; i += idChunk) full.push(...(await selectEntriesWithBlog(db).where('entries.id', 'in', list.slice(i, i + idChunk)).execute()));
  } else {
    full.push(...(await selectEntriesWithBlog(db).where('entries.conversation_id', '=', conversationId).execute()));
  }
  const fullById = new Map(full.map((r) => [r.id, r]));

  // Channels of the chosen entries and of the records of pings that stand behind them.
  const goneRecords = new Set(shape.rows.filter((r) => r.same_as_id !== null && r.tombstoned_at !== null).map((r) => r.id));
  const channels: { entry_id: number; via: Channel; first_seen_at: string }[] = [];
  const channelQuery = () => db.selectFrom('entry_channels').select(['entry_id', 'via', 'first_seen_at']);
  if (wanted) {
    const ids = shape.rows.filter((r) => chosenIds.has(shape.resolve(r.id))).map((r) => r.id);
    for (let i = 0; i < ids.length; i += idChunk) channels.push(...(await channelQuery().where('entry_id', 'in', ids.slice(i, i + idChunk)).execute()));
  } else {
    channels.push(...(await channelQuery().where('entry_id', 'in', (eb) => eb.selectFrom('entries').select('id').where('conversation_id', '=', conversationId)).execute()));
  }
  channels.sort((a, b) => (a.first_seen_at < b.first_seen_at ? -1 : a.first_seen_at > b.first_seen_at ? 1 : 0));
  const viaOf = new Map<number, Set<Channel>>();
  for (const c of channels) {
    if (goneRecords.has(c.entry_id)) continue;
    const p = shape.resolve(c.entry_id);
    if (!viaOf.has(p)) viaOf.set(p, new Set());
    viaOf.get(p)!.add(c.via);
  }

  return chosen
    .map((r) => fullById.get(r.id))
    .filter((r): r is NonNullable<typeof r> => r !== undefined)
    .map((r) => {
      const reply = shape.best.get(r.id);
      return {
        ...toEntryWithBlog(r),
        via: [...(viaOf.get(r.id) ?? [])],
        inReplyToId: reply?.to ?? null,
        inReplyToType: reply?.type ?? null,
      };
    });
}

/** Finds the conversation an entry is in. */
export async function findConversationIdOfEntry(db: Db, entryId: number): Promise<number | null> {
  const row = await db.selectFrom('entries').select('conversation_id').where('id', '=', entryId).executeTakeFirst();
  if (!row?.conversation_id) return null;
  return findSurvivingConversationId(db, row.conversation_id);
}

/** Lists the newest entry of each given conversation (for one-line previews). */
export async function listNewestEntryOf(db: Db, conversationIds: number[]): Promise<Map<number, EntryWithBlog>> {
  const out = new Map<number, EntryWithBlog>();
  if (conversationIds.length === 0) return out;
  const rows = await selectEntriesWithBlog(db)
    .where('entries.conversation_id', 'in', conversationIds)
    .where('entries.same_as_id', 'is', null)
    .where(
      'entries.id',
      'in',
      sql<number>`(select (select e2.id from entries e2 where e2.conversation_id = c.id and e2.same_as_id is null order by e2.sort_at desc, e2.id desc limit 1) from conversations c where c.id in (${sql.join(conversationIds)}))`,
    )
    .execute();
  for (const r of rows) if (r.conversation_id !== null) out.set(r.conversation_id, toEntryWithBlog(r));
  return out;
}

/** Lists the names of the blogs taking part in each given conversation. */
export async function listConversationBlogs(db: Db, conversationIds: number[]): Promise<Map<number, BlogRef[]>> {
  const out = new Map<number, BlogRef[]>();
  if (conversationIds.length === 0) return out;
  const rows = await db
    .selectFrom('entries')
    .innerJoin('blogs', 'blogs.id', 'entries.blog_id')
    .select(['entries.conversation_id', 'blogs.id', 'blogs.title', 'blogs.home_url'])
    .distinct()
    .where('entries.conversation_id', 'in', conversationIds)
    .where('entries.same_as_id', 'is', null)
    .orderBy('blogs.id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.conversation_id!) ?? [];
    list.push({ id: r.id, title: r.title, homeUrl: r.home_url });
    out.set(r.conversation_id!, list);
  }
  return out;
}

/** Lists the conversations a blog takes part in, most recently active first. */
export async function listConversationsOfBlog(db: Db, blogId: number, limit: number): Promise<Conversation[]> {
  const rows = await db
    .selectFrom('conversations')
    .selectAll()
    .where('merged_into_id', 'is', null)
    .where('entry_count', '>', 0)
    .where('id', 'in', (eb) => eb.selectFrom('entries').select('conversation_id').where('blog_id', '=', blogId).where('same_as_id', 'is', null).where('conversation_id', 'is not', null))
    .orderBy('last_activity_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toConversation);
}
