// store: the statements conversation-counts.ts runs, compiled once (prepared.ts): what counting
// an arriving entry reads of its conversation, what a recount reads (in one statement), and the
// writes of a conversation's counts.
import { sql } from 'kysely';
import type { Db } from '../db/open.ts';
import { linkbackChannels, linkbackKinds } from '../domain/vocabulary.ts';
import { knownCommentsOf } from './comment-gaps.ts';
import { jsonTextValues } from './dialect.ts';
import { prepare, preparedList } from './prepared.ts';

// root, title, entries, posts, comments, linkbacks, blogs, authors, missing, first, last, rank:
// the counts every write of a conversation's counts starts its values with.
type Counts = [number | null, string | null, number, number, number, number, number, number, number, string | null, string | null, number];

const countsOf = (a: readonly [...Counts, ...unknown[]]) => ({
  root_entry_id: a[0],
  title: a[1],
  entry_count: a[2],
  post_count: a[3],
  comment_count: a[4],
  linkback_count: a[5],
  blog_count: a[6],
  author_count: a[7],
  missing_count: a[8],
  first_activity_at: a[9],
  last_activity_at: a[10],
  rank: a[11],
});

// the counts, created, updated
export const insertCountedConversation = prepare(14, (db, a: [...Counts, string, string]) =>
  db
    .insertInto('conversations')
    .values({ ...countsOf(a), created_at: a[12], updated_at: a[13] })
    .returning('id'),
);

export const countedEntry = prepare(1, (db, [entryId]: [number]) =>
  db
    .selectFrom('entries')
    .select(['id', 'kind', 'blog_id', 'author_url', 'author_name', 'sort_at', 'title', 'excerpt', 'comment_count', 'same_as_id', 'tombstoned_at', 'source_key'])
    .where('id', '=', entryId),
);
// The visible entries of a conversation other than the arriving one.
const visibleOthers = (db: Db, conversationId: number, entryId: number) =>
  db.selectFrom('entries').select('id').where('conversation_id', '=', conversationId).where('id', '!=', entryId).where('same_as_id', 'is', null).where('tombstoned_at', 'is', null);
// A conversation as addToConversation first reads it, with what it asks of it: whether another
// visible entry has the blog (blog_id) or the author key, and its root entry.
const arrivalContextOf = (db: Db, [conversationId, entryId, blogId, authorKey]: [number, number, number | null, string | null]) =>
  db
    .selectFrom('conversations as c')
    .leftJoin('entries as r', 'r.id', 'c.root_entry_id')
    .selectAll('c')
    .select((eb) => [
      eb.exists(visibleOthers(db, conversationId, entryId).where('blog_id', '=', blogId).limit(1)).as('has_blog'),
      eb.exists(visibleOthers(db, conversationId, entryId).where(sql`lower(coalesce(author_url, author_name))`, '=', authorKey).limit(1)).as('has_author'),
      'r.kind as root_kind',
      'r.sort_at as root_sort_at',
    ])
    .where('c.id', '=', conversationId);
export const arrivalContext = prepare(4, arrivalContextOf);
// The same with the known comments of the arriving entry (a post).
export const arrivalContextWithComments = prepare(4, (db, args: [number, number, number | null, string | null]) =>
  arrivalContextOf(db, args).select(knownCommentsOf(args[1]).as('known_comments')),
);
// The conversations the new entries of a part of a feed may join, read before the first of them
// arrives (readArrivalsAhead): arrivalContext for many at once, for entries of one blog that are
// not in any conversation yet (so none is one of the "others").
export const arrivalsAhead = preparedList(
  1,
  (db, ids: [number][], [blogId]: [number]) =>
    db
      .selectFrom('conversations as c')
      .leftJoin('entries as r', 'r.id', 'c.root_entry_id')
      .selectAll('c')
      .select((eb) => [
        eb
          .exists(
            eb
              .selectFrom('entries as o')
              .select('o.id')
              .whereRef('o.conversation_id', '=', 'c.id')
              .where('o.same_as_id', 'is', null)
              .where('o.tombstoned_at', 'is', null)
              .where('o.blog_id', '=', blogId)
              .limit(1),
          )
          .as('has_blog'),
        'r.kind as root_kind',
        'r.sort_at as root_sort_at',
      ])
      .where('c.id', 'in', ids.map(([id]) => id)),
  1,
);
// Which of these author keys (lower-case, as a JSON array) visible entries of these conversations
// have, on SQLite: for each conversation and each key, an indexed lookup that stops at the first
// such entry (the entries listed instead, authorsListed, read every comment of a debate's most
// active author: 28 % of bulk ingest's SQL in a debate of 20,000 entries by one author). The keys
// are one argument, so the statement is prepared once per count of conversations.
export const authorsAhead = preparedList(
  1,
  (db, ids: [number][], [keys]: [string]) =>
    db
      .selectFrom(['conversations as c', jsonTextValues(db, keys).as('k')])
      .select(['c.id as conversation_id', 'k.value as author_key'])
      .where('c.id', 'in', ids.map(([id]) => id))
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('entries as o')
            .select('o.id')
            .whereRef('o.conversation_id', '=', 'c.id')
            .where(sql`lower(coalesce(o.author_url, o.author_name))`, '=', eb.ref('k.value'))
            .where('o.same_as_id', 'is', null)
            .where('o.tombstoned_at', 'is', null)
            .limit(1),
        ),
      ),
  1,
);
// The same on PostgreSQL, where the lookups (as a list of keys, a union of them or a JSON array)
// cost its server 1–3 ms more CPU a changed feed than listing the entries that have them
// (bench/feed-statements.ts): the keys padded to authorsListedKeys (repeating one), so the
// statement is prepared and planned once per count of conversations.
export const authorsListedKeys = 50;
const authorKey = sql<string>`lower(coalesce(author_url, author_name))`;
export const authorsListed = preparedList(
  1,
  (db, ids: [number][], keys: string[]) =>
    db
      .selectFrom('entries')
      .select(['conversation_id', authorKey.as('author_key')])
      .distinct()
      .where('conversation_id', 'in', ids.map(([id]) => id))
      .where('same_as_id', 'is', null)
      .where('tombstoned_at', 'is', null)
      .where(authorKey, 'in', keys),
  authorsListedKeys,
);
// A conversation's row with its root's kind and time, as a merge combines it.
export const countedConversation = prepare(1, (db, [id]: [number]) =>
  db
    .selectFrom('conversations as c')
    .leftJoin('entries as r', 'r.id', 'c.root_entry_id')
    .selectAll('c')
    .select(['r.kind as root_kind', 'r.sort_at as root_sort_at'])
    .where('c.id', '=', id),
);

// The blogs and the authors of the visible entries of `from` that no visible entry of `into` has:
// each entry of `from` looked up in `into` by index, so the cost follows the smaller debate.
export const mergeOverlap = prepare(2, (db, [from, into]: [number, number]) => {
  const authorOf = (alias: string) => sql`lower(coalesce(${sql.ref(`${alias}.author_url`)}, ${sql.ref(`${alias}.author_name`)}))`;
  const visibleOf = (alias: 'f' | 'i', conversationId: number) =>
    db
      .selectFrom(`entries as ${alias}`)
      .where(`${alias}.conversation_id`, '=', conversationId)
      .where(`${alias}.same_as_id`, 'is', null)
      .where(`${alias}.tombstoned_at`, 'is', null);
  return db.selectNoFrom([
    visibleOf('f', from)
      .select((fb) => fb.fn.count<number | string>('f.blog_id').distinct().as('n'))
      .where((fb) => fb.not(fb.exists(visibleOf('i', into).select('i.id').whereRef('i.blog_id', '=', 'f.blog_id'))))
      .$asScalar()
      .as('new_blogs'),
    visibleOf('f', from)
      .select((fb) => fb.fn.count<number | string>(authorOf('f')).distinct().as('n'))
      .where((fb) => fb.not(fb.exists(visibleOf('i', into).select('i.id').where(authorOf('i'), '=', authorOf('f')))))
      .$asScalar()
      .as('new_authors'),
  ]);
});

export const otherOfBlog = prepare(3, (db, [conversationId, entryId, blogId]: [number, number, number]) =>
  visibleOthers(db, conversationId, entryId).where('blog_id', '=', blogId).limit(1),
);
export const otherOfAuthor = prepare(3, (db, [conversationId, entryId, authorKey]: [number, number, string]) =>
  visibleOthers(db, conversationId, entryId).where(sql`lower(coalesce(author_url, author_name))`, '=', authorKey).limit(1),
);
export const rootEntry = prepare(1, (db, [id]: [number]) => db.selectFrom('entries').select(['id', 'kind', 'sort_at']).where('id', '=', id));
export const linkbackChannel = prepare(1, (db, [entryId]: [number]) =>
  db.selectFrom('entry_channels').select('via').where('entry_id', '=', entryId).where('via', 'in', linkbackChannels).limit(1),
);
// A conversation's "may be missing" count moved by one post's gap; its row changed (page caches follow updated_at).
export const moveMissingCount = prepare(3, (db, [delta, now, id]: [number, string, number]) =>
  db
    .updateTable('conversations')
    .set((eb) => ({ missing_count: eb('missing_count', '+', delta), updated_at: now }))
    .where('id', '=', id),
);
// An edit that left its entry's place in the counts (countEditedEntry): the gap moved by its post,
// the title the entry's when it is the root, the row changed.
export const moveEditedCounts = prepare(5, (db, [delta, entryId, title, now, id]: [number, number, string | null, string, number]) =>
  db
    .updateTable('conversations')
    .set((eb) => ({
      missing_count: eb('missing_count', '+', delta),
      title: eb.case().when('root_entry_id', '=', entryId).then(title).else(eb.ref('title')).end(),
      updated_at: now,
    }))
    .where('id', '=', id),
);

// the counts, updated, id
export type ConversationCountsRow = [...Counts, string, number];
export const setConversationCounts = prepare(14, (db, a: ConversationCountsRow) =>
  db
    .updateTable('conversations')
    .set({ ...countsOf(a), updated_at: a[12] })
    .where('id', '=', a[13]),
);
// The counts of several conversations at once: each row exists (and is locked), so the insert
// always meets its id and only the update runs; one statement on both databases.
const countColumns = ['root_entry_id', 'title', 'entry_count', 'post_count', 'comment_count', 'linkback_count', 'blog_count', 'author_count', 'missing_count', 'first_activity_at', 'last_activity_at', 'rank', 'updated_at'] as const;
export const setManyConversationCounts = preparedList(14, (db, rows: ConversationCountsRow[]) =>
  db
    .insertInto('conversations')
    .values(
      rows.map((a) => ({ id: a[13], ...countsOf(a), created_at: a[12], updated_at: a[12] })),
    )
    .onConflict((oc) => oc.column('id').doUpdateSet((eb) => Object.fromEntries(countColumns.map((c) => [c, eb.ref(`excluded.${c}`)])))),
);

const kindsSql = sql.join(linkbackKinds.map((k) => sql.lit(k)));
const channelsSql = sql.join(linkbackChannels.map((c) => sql.lit(c)));

/**
 * Whether the node `e` arrived as a linkback, as a reader counts: it is a ping of its own, came
 * by a ping channel, or has a live record of a ping merged into it (a post that also pinged).
 * The entry's channels are one range of the (entry_id, via) key: their `via` compared as an
 * expression, they are read in one seek rather than one per linkback channel (SQLite makes an
 * IN on the key's second column a seek per value); a recount of 50,000 entries took 141 ms, 107 after.
 */
const linkbackEvidence = (besides?: unknown) => sql<boolean>`(e.kind in (${kindsSql})
  or exists (select 1 from entry_channels ch where ch.entry_id = e.id and (ch.via || '') in (${channelsSql}))
  or exists (select 1 from entries r where r.same_as_id = e.id and r.tombstoned_at is null${besides === undefined ? sql`` : sql` and r.id != ${besides}`}
    and (r.kind in (${kindsSql}) or exists (select 1 from entry_channels rc where rc.entry_id = r.id and rc.via in (${channelsSql})))))`;
const arrivedAsLinkback = linkbackEvidence();

// A new record of a ping and the node it joined (countNewRecord): the node as counted, whether it
// arrived as a linkback without the record, and whether another entry gave the post the record
// counts toward the same ping before (a key of knownCommentKeys: the ping's source).
export const newRecordContext = prepare(5, (db, [nodeId, recordId, postId, sourceKey, sameRecordId]: [number, number, number, string, number]) =>
  db
    .selectFrom('entries as e')
    .select((eb) => [
      'e.same_as_id',
      'e.tombstoned_at',
      'e.conversation_id',
      linkbackEvidence(recordId).as('linkback_besides'),
      eb
        .exists(
          eb
            .selectFrom('edges as x')
            .innerJoin('entries as o', 'o.id', 'x.from_entry_id')
            .select('x.id')
            .where('x.to_entry_id', '=', postId)
            .where('o.source_key', '=', sourceKey)
            .where('o.id', '!=', sameRecordId)
            .where((w) =>
              w.or([
                w('x.type', '=', 'comment-of'),
                w.and([w('x.type', '=', 'linkback'), w.exists(w.selectFrom('entry_channels as c').select('c.entry_id').whereRef('c.entry_id', '=', 'o.id').where('c.via', '=', 'listing'))]),
              ]),
            ),
        )
        .as('ping_known'),
    ])
    .where('e.id', '=', nodeId),
);
// Records of a ping that stop being entries of their own (a post that sent it arrived): the
// entries, linkbacks, blogs and authors they took with them; the rank follows as the post is counted.
export const removeCountedRecords = prepare(5, (db, [entries, linkbacks, blogs, authors, id]: [number, number, number, number, number]) =>
  db
    .updateTable('conversations')
    .set((eb) => ({
      entry_count: eb('entry_count', '-', entries),
      linkback_count: eb('linkback_count', '-', linkbacks),
      blog_count: eb('blog_count', '-', blogs),
      author_count: eb('author_count', '-', authors),
    }))
    .where('id', '=', id),
);
// A new record of a ping moved the linkbacks and the gap of its node's conversation.
export const moveRecordCounts = prepare(4, (db, [linkbacks, missing, now, id]: [number, number, string, number]) =>
  db
    .updateTable('conversations')
    .set((eb) => ({ linkback_count: eb('linkback_count', '+', linkbacks), missing_count: eb('missing_count', '+', missing), updated_at: now }))
    .where('id', '=', id),
);

// A recount reads in one statement what it once read in three and one more per post: the counts
// of the conversation's visible entries, its root (the earliest post, else the earliest entry;
// a tombstone may stay root, records of pings never are) and the comments its posts report
// beyond those Palaver has (WordPress comment feeds carry only the newest ten; a post's count
// includes pingbacks and trackbacks, so every record of a comment counts).
export const recountReading = prepare(1, (db, [id]: [number]) => {
  const root = () =>
    db
      .selectFrom('entries as r')
      .where('r.conversation_id', '=', id)
      .where('r.same_as_id', 'is', null)
      .orderBy(sql`case when r.kind = 'post' then 0 else 1 end`)
      .orderBy('r.sort_at')
      .orderBy('r.id')
      .limit(1);
  const reported = db
    .selectFrom('entries as p')
    .select((eb) => ['p.comment_count', knownCommentsOf(eb.ref('p.id')).as('known')])
    .where('p.conversation_id', '=', id)
    .where('p.kind', '=', 'post')
    .where('p.comment_count', '>', 0)
    .as('q');
  const missing = db.selectFrom(reported).select(sql<number | string>`coalesce(sum(case when q.comment_count > q.known then q.comment_count - q.known else 0 end), 0)`.as('n'));
  const counted = db
    .selectFrom('entries as e')
    .where('e.conversation_id', '=', id)
    .where('e.same_as_id', 'is', null)
    .where('e.tombstoned_at', 'is', null)
    .select((eb) => [
      eb.fn.countAll<number>().as('entries'),
      eb.fn.sum<number>(sql`case when e.kind = 'post' then 1 else 0 end`).as('posts'),
      eb.fn.sum<number>(sql`case when e.kind = 'comment' then 1 else 0 end`).as('comments'),
      // Answers that arrived as a linkback, merged ones included: a post that also pinged counts
      // as a post and as a linkback, so the figures need not add up to the entries.
      eb.fn.sum<number>(sql`case when ${arrivedAsLinkback} then 1 else 0 end`).as('linkbacks'),
      eb.fn.count<number>('e.blog_id').distinct().as('blogs'),
      eb.fn.count<number>(sql`lower(coalesce(e.author_url, e.author_name))`).distinct().as('authors'),
      eb.fn.min<string>('e.sort_at').as('first'),
      eb.fn.max<string>('e.sort_at').as('last'),
      root().select('r.id').as('root_id'),
      missing.as('missing'),
    ])
    .as('counted');
  // The root's title and excerpt by its id, once the counts are read: each subquery for the root
  // sorts the debate's entries (6.8 ms of a recount of 50,000), so it runs once, not three times.
  return db
    .selectFrom(counted)
    .leftJoin('entries as t', 't.id', 'counted.root_id')
    .selectAll('counted')
    .select(['t.title as root_title', 't.excerpt as root_excerpt']);
});
