// store: what a group shows: its conversations ranked and counted (their ids kept between
// requests, group-conversation-ids.ts), the groups a change touches, who joined from outside,
// and the counts and posts of an event's days.
import type { Db } from '../db/open.ts';
import type { GroupPost, GroupSpanCounts, OutsideParticipants } from '../domain/groups.ts';
import type { Conversation } from '../domain/models.ts';
import type { EntryKind } from '../domain/vocabulary.ts';
import { listConversations } from './conversations.ts';
import { conversationIdsIn, isOwnRecord, listGroupConversationIds } from './group-conversation-ids.ts';

/**
 * A page of a group's live conversations, ranked as on the home page (after a (rank, id) position
 * when given; none for a limit of 0), and how many it has: its conversation ids are read once for both.
 */
export async function readGroupConversations(
  db: Db,
  groupId: number,
  options: { limit: number; offset?: number; after?: { rank: number; id: number } },
): Promise<{ conversations: Conversation[]; count: number }> {
  const ids = await listGroupConversationIds(db, groupId);
  const conversations = options.limit > 0 ? await listConversations(db, options, (q) => q.where('id', 'in', conversationIdsIn(db, ids))) : [];
  const row = await db
    .selectFrom('conversations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('merged_into_id', 'is', null)
    .where('entry_count', '>', 0)
    .where('id', 'in', conversationIdsIn(db, ids))
    .executeTakeFirstOrThrow();
  return { conversations, count: Number(row.n) };
}

/** Lists the slugs of the groups that show any of these conversations (the group feeds a change touches). */
export async function listGroupSlugsOfConversations(db: Db, conversationIds: number[]): Promise<string[]> {
  if (conversationIds.length === 0) return [];
  const slugs = new Set<string>();
  const ids = [...new Set(conversationIds)];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('group_members as gm')
      .innerJoin('groups as g', 'g.id', 'gm.group_id')
      .innerJoin('entries as ge', 'ge.blog_id', 'gm.blog_id')
      .select('g.slug')
      .distinct()
      .where('ge.conversation_id', 'in', ids.slice(i, i + 500))
      .where(isOwnRecord('ge.same_as_id'))
      .where((eb) => eb.or([eb('g.starts_at', 'is', null), eb('ge.sort_at', '>=', eb.ref('g.starts_at'))]))
      .where((eb) => eb.or([eb('g.ends_at', 'is', null), eb('ge.sort_at', '<', eb.ref('g.ends_at'))]))
      .execute();
    for (const r of rows) slugs.add(r.slug);
  }
  return [...slugs];
}

/** Lists, per conversation, the blogs and sites outside the group that took part (at most `perConversation` of each). */
export async function listOutsideParticipants(db: Db, groupId: number, conversationIds: number[], perConversation = 12): Promise<Map<number, OutsideParticipants>> {
  const out = new Map<number, OutsideParticipants>();
  if (conversationIds.length === 0) return out;
  const of = (id: number) => {
    let p = out.get(id);
    if (!p) out.set(id, (p = { blogs: [], siteUrls: [] }));
    return p;
  };
  const blogs = await db
    .selectFrom('entries')
    .innerJoin('blogs', 'blogs.id', 'entries.blog_id')
    .select(['entries.conversation_id', 'blogs.id', 'blogs.title', 'blogs.home_url'])
    .distinct()
    .where('entries.conversation_id', 'in', conversationIds)
    .where(isOwnRecord('entries.same_as_id'))
    .where('entries.blog_id', 'not in', (eb) => eb.selectFrom('group_members').select('blog_id').where('group_id', '=', groupId))
    .orderBy('blogs.id')
    .execute();
  for (const r of blogs) {
    const p = of(r.conversation_id!);
    if (p.blogs.length < perConversation) p.blogs.push({ id: r.id, title: r.title, homeUrl: r.home_url });
  }
  const sites = await db
    .selectFrom('entries')
    .select(['conversation_id', 'url'])
    .where('conversation_id', 'in', conversationIds)
    .where('blog_id', 'is', null)
    .where(isOwnRecord('same_as_id'))
    .where('url', 'is not', null)
    .orderBy('sort_at')
    .limit(conversationIds.length * perConversation * 4)
    .execute();
  for (const r of sites) {
    const p = of(r.conversation_id!);
    if (p.siteUrls.length < perConversation) p.siteUrls.push(r.url!);
  }
  return out;
}

/** Counts the visible entries of a group's member blogs with a time in [from, to). */
export async function countGroupEntriesBetween(db: Db, groupId: number, from: string, to: string): Promise<GroupSpanCounts> {
  const base = db
    .selectFrom('entries')
    .where('blog_id', 'in', db.selectFrom('group_members').select('blog_id').where('group_id', '=', groupId))
    .where(isOwnRecord('same_as_id'))
    .where('tombstoned_at', 'is', null)
    .where('conversation_id', 'is not', null)
    .where('sort_at', '>=', from)
    .where('sort_at', '<', to);
  const byKind = await base
    .select((eb) => ['kind', eb.fn.countAll<number>().as('n'), eb.fn.count<number>('blog_id').distinct().as('blogs')])
    .groupBy('kind')
    .execute();
  const totals = await base
    .select((eb) => [eb.fn.count<number>('blog_id').distinct().as('blogs'), eb.fn.count<number>('author_name').distinct().as('authors')])
    .executeTakeFirst();
  const count = (kinds: EntryKind[]) => byKind.filter((r) => kinds.includes(r.kind)).reduce((n, r) => n + Number(r.n), 0);
  return {
    posts: count(['post']),
    comments: count(['comment']),
    linkbacks: count(['pingback', 'trackback', 'webmention']),
    postingBlogs: Number(byKind.find((r) => r.kind === 'post')?.blogs ?? 0),
    activeBlogs: Number(totals?.blogs ?? 0),
    authors: Number(totals?.authors ?? 0),
  };
}

/** Lists the visible posts of a group's member blogs with a time in [from, to), in time order, at most `limit`. */
export async function listGroupPostsBetween(db: Db, groupId: number, from: string, to: string, limit: number): Promise<GroupPost[]> {
  const rows = await db
    .selectFrom('entries')
    .innerJoin('group_members as gm', (join) => join.onRef('gm.blog_id', '=', 'entries.blog_id').on('gm.group_id', '=', groupId))
    .innerJoin('blogs', 'blogs.id', 'entries.blog_id')
    .select(['entries.id', 'entries.title', 'entries.url', 'entries.author_name', 'entries.sort_at', 'entries.lang', 'entries.conversation_id', 'blogs.id as blog_id', 'blogs.title as blog_title', 'blogs.home_url'])
    .where('entries.kind', '=', 'post')
    .where(isOwnRecord('entries.same_as_id'))
    .where('entries.tombstoned_at', 'is', null)
    .where('entries.conversation_id', 'is not', null)
    .where('entries.sort_at', '>=', from)
    .where('entries.sort_at', '<', to)
    .orderBy('entries.sort_at')
    .orderBy('entries.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    url: r.url,
    authorName: r.author_name,
    sortAt: r.sort_at,
    lang: r.lang,
    conversationId: r.conversation_id!,
    blog: { id: r.blog_id, title: r.blog_title, homeUrl: r.home_url },
  }));
}

/** Lists which member blogs have a visible post in [from, to) (the members who took part in an event). */
export async function listGroupBlogsPostingBetween(db: Db, groupId: number, from: string, to: string): Promise<Set<number>> {
  const rows = await db
    .selectFrom('entries')
    .select('blog_id')
    .distinct()
    .where('blog_id', 'in', (eb) => eb.selectFrom('group_members').select('blog_id').where('group_id', '=', groupId))
    .where('kind', '=', 'post')
    .where(isOwnRecord('same_as_id'))
    .where('tombstoned_at', 'is', null)
    .where('sort_at', '>=', from)
    .where('sort_at', '<', to)
    .execute();
  return new Set(rows.map((r) => r.blog_id!));
}
