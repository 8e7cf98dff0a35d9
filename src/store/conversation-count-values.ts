// store: the values of a conversation's counts (root, title, entries, posts, comments, linkbacks,
// blogs, authors, missing comments, activity, rank) with one more entry counted into them, or with
// another conversation merged into them, and what an edit or a new channel of an entry leaves
// as it was: pure, so that a part of a feed counts its new entries in memory and a merge into a
// large debate or an edit there need not recount it (conversation-counts.ts and
// conversation-edits.ts write them).
import type { Selectable } from 'kysely';
import type { ConversationsTable } from '../db/schema.ts';
import { rankConversation } from '../domain/rank.ts';
import { isLinkbackKind, linkbackChannels, type Channel, type EntryKind } from '../domain/vocabulary.ts';

/**
 * A new entry as it was just stored (no record of a ping points at it, it is no tombstone), so
 * that counting it into its conversation need not read it back.
 */
export interface ArrivedEntry {
  kind: EntryKind;
  blogId: number | null;
  authorUrl: string | null;
  authorName: string | null;
  sortAt: string;
  title: string | null;
  excerpt: string | null;
  commentCount: number | null;
  /** Whether the one channel it came by is a ping's. */
  viaLinkback: boolean;
  /** Whether edges of other entries waiting for it found it as their post (comment-of, linkback): else nothing comments on it yet. */
  answered: boolean;
  /** Whether one of its own edges found a post it may count toward (comment-of, linkback): else it counts toward none. */
  towardPost: boolean;
}

/**
 * A conversation's row with these counts (countedInto's values), written at `now`; its id, merge
 * and creation as `kept` has them. One object literal: spreading a row into another with the
 * counts cost microseconds an entry.
 */
export function withCounts(
  kept: Pick<Selectable<ConversationsTable>, 'id' | 'merged_into_id' | 'created_at'>,
  counts: ReturnType<typeof countedInto>,
  now: string,
): Selectable<ConversationsTable> {
  return {
    id: kept.id,
    root_entry_id: counts[0],
    title: counts[1],
    entry_count: counts[2],
    post_count: counts[3],
    comment_count: counts[4],
    linkback_count: counts[5],
    blog_count: counts[6],
    author_count: counts[7],
    missing_count: counts[8],
    first_activity_at: counts[9],
    last_activity_at: counts[10],
    rank: counts[11],
    merged_into_id: kept.merged_into_id,
    created_at: kept.created_at,
    updated_at: now,
  };
}

export type ConversationCounts = Pick<
  Selectable<ConversationsTable>,
  'root_entry_id' | 'title' | 'entry_count' | 'post_count' | 'comment_count' | 'linkback_count' | 'blog_count' | 'author_count' | 'missing_count' | 'first_activity_at' | 'last_activity_at'
>;
export const emptyConversation: ConversationCounts = {
  root_entry_id: null,
  title: null,
  entry_count: 0,
  post_count: 0,
  comment_count: 0,
  linkback_count: 0,
  blog_count: 0,
  author_count: 0,
  missing_count: 0,
  first_activity_at: null,
  last_activity_at: null,
};

/**
 * A conversation's counts with one more entry: `e` as it arrived, its id, whether its blog and
 * author are new there and the earlier root (if any), and the change of the missing count. The
 * values of setConversationCounts from root to rank.
 */
export function countedInto(
  c: ConversationCounts,
  e: Omit<ArrivedEntry, 'answered'>,
  place: { id: number; newBlog?: boolean; newAuthor?: boolean; root?: { id: number; kind: EntryKind; sort_at: string } | undefined },
  missingDelta: number,
): [number | null, string | null, number, number, number, number, number, number, number, string | null, string | null, number] {
  // The root is the earliest post (or, with no post yet, the earliest entry).
  let rootId = c.root_entry_id;
  let title = c.title;
  const root = place.root;
  const earlier = !root || e.sortAt < root.sort_at || (e.sortAt === root.sort_at && place.id < root.id);
  if (!root || (e.kind === 'post' && (root.kind !== 'post' || earlier)) || (root.kind !== 'post' && e.kind !== 'post' && earlier)) {
    rootId = place.id;
    title = conversationTitleOf(e);
  }
  const newBlog = place.newBlog ?? e.blogId !== null;
  const newAuthor = place.newAuthor ?? authorKeyOf(e) !== null;
  const blogs = c.blog_count + (newBlog ? 1 : 0);
  const authors = c.author_count + (newAuthor ? 1 : 0);
  const first = c.first_activity_at === null || e.sortAt < c.first_activity_at ? e.sortAt : c.first_activity_at;
  const last = c.last_activity_at === null || e.sortAt > c.last_activity_at ? e.sortAt : c.last_activity_at;
  // A new node without records: its own kind and channels say whether it came as a linkback.
  const isLinkback = isLinkbackKind(e.kind) || e.viaLinkback;
  return [
    rootId,
    title,
    c.entry_count + 1,
    c.post_count + (e.kind === 'post' ? 1 : 0),
    c.comment_count + (e.kind === 'comment' ? 1 : 0),
    c.linkback_count + (isLinkback ? 1 : 0),
    blogs,
    authors,
    c.missing_count + missingDelta,
    first,
    last,
    rankConversation(last, blogs, authors),
  ];
}

/** A conversation's root as counting compares it: the earliest post, else the earliest entry. */
export interface CountedRoot {
  id: number;
  kind: EntryKind;
  sort_at: string;
}

/** Whether root `x` comes before `y`: a post before any other entry, then the earlier, then the lower id. */
export function rootComesFirst(x: CountedRoot, y: CountedRoot): boolean {
  if ((x.kind === 'post') !== (y.kind === 'post')) return x.kind === 'post';
  return x.sort_at < y.sort_at || (x.sort_at === y.sort_at && x.id < y.id);
}

/**
 * The counts of conversations `a` and `b` merged, as a recount of the merged one gives them: the
 * sums of their entries, posts, comments, linkbacks and gaps (each entry and post is in one of
 * them), `b`'s blogs and authors that `a` has not, the earlier root with its title, the span of
 * both. The values of setConversationCounts from root to rank, and the root.
 */
export function combinedCounts(
  a: ConversationCounts & { root: CountedRoot | undefined },
  b: ConversationCounts & { root: CountedRoot | undefined },
  newBlogs: number,
  newAuthors: number,
): { counts: ReturnType<typeof countedInto>; root: CountedRoot | undefined } {
  const first = !b.root || (a.root && rootComesFirst(a.root, b.root)) ? a : b;
  const blogs = a.blog_count + newBlogs;
  const authors = a.author_count + newAuthors;
  const earliest = [a.first_activity_at, b.first_activity_at].filter((t) => t !== null).sort()[0] ?? null;
  const last = [a.last_activity_at, b.last_activity_at].filter((t) => t !== null).sort().at(-1) ?? null;
  return {
    counts: [
      first.root_entry_id,
      first.title,
      a.entry_count + b.entry_count,
      a.post_count + b.post_count,
      a.comment_count + b.comment_count,
      a.linkback_count + b.linkback_count,
      blogs,
      authors,
      a.missing_count + b.missing_count,
      earliest,
      last,
      rankConversation(last, blogs, authors),
    ],
    root: first.root,
  };
}

/** The key by which a conversation's authors are told apart: the author's URL, else the name, without case. */
export function authorKeyOf(e: { authorUrl: string | null; authorName: string | null }): string | null {
  return (e.authorUrl ?? e.authorName)?.toLowerCase() ?? null;
}

/** A conversation's title as its root gives it: the root's title, else the start of its excerpt. */
export function conversationTitleOf(root: { title: string | null; excerpt: string | null }): string | null {
  return root.title ?? root.excerpt?.slice(0, 120) ?? null;
}

/** What of a stored entry its conversation's counts read, but for its edges and channels (columns as stored). */
export interface CountedEntryState {
  kind: EntryKind;
  blog_id: number | null;
  author_url: string | null;
  author_name: string | null;
  sort_at: string;
  title: string | null;
  excerpt: string | null;
  comment_count: number | null;
  same_as_id: number | null;
  tombstoned_at: string | null;
  source_key: string | null;
}

/**
 * Whether an edit left an entry where its conversation's counts place it: the same kind (any
 * linkback for a linkback), blog, author, date, visibility and ping source, so that only its
 * post's gap and, as the root, the conversation's title can have changed. Anything else may
 * move the root, the activity or the blogs and authors, which a recount finds.
 */
export function keepsCountedPlace(before: CountedEntryState, after: CountedEntryState): boolean {
  return (
    // A ping's record that came again by another protocol: any linkback counts alike.
    (before.kind === after.kind || (isLinkbackKind(before.kind) && isLinkbackKind(after.kind))) &&
    before.blog_id === after.blog_id &&
    before.author_url === after.author_url &&
    before.author_name === after.author_name &&
    before.sort_at === after.sort_at &&
    before.same_as_id === after.same_as_id &&
    before.tombstoned_at === after.tombstoned_at &&
    before.source_key === after.source_key
  );
}

/**
 * Whether a channel an entry of kind `kind` gained (or lost) can change its conversation's counts:
 * one the blog's listing of pings names (its post's known comments), or a ping's channel on an
 * entry that is no ping itself (it may make its node a linkback). A feed's channels count nothing,
 * nor a ping's on a ping's record, whose kind makes it a linkback already.
 */
export function channelMayCount(via: Channel, kind: EntryKind): boolean {
  if (via === 'listing') return true;
  return (linkbackChannels as readonly Channel[]).includes(via) && !isLinkbackKind(kind);
}
