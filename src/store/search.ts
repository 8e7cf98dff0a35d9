// store: full-text search over entries (titles, authors, text) through the index of migration
// 0004 (FTS5 on SQLite, a tsvector on PostgreSQL; the two queries' pieces are in dialect.ts).
import { sql } from 'kysely';
import type { Db } from '../db/open.ts';
import type { SearchHit } from '../domain/models.ts';
import type { EntryKind } from '../domain/vocabulary.ts';
import { conversationIdsIn, listGroupConversationIds } from './group-conversation-ids.ts';
import { ftsMatch, fullTextQuery } from './dialect.ts';

/** The words of what a reader typed: letters and digits, at most twelve. */
function searchWords(input: string): string[] {
  return input.normalize('NFC').match(/[\p{L}\p{N}]+/gu)?.slice(0, 12) ?? [];
}

/**
 * Turns what a reader typed into an FTS5 query: every word must occur (as a prefix, from three
 * letters on), and none of FTS5's operators or quotes reach the parser, so any input is a valid query.
 */
export function toFtsQuery(input: string): string | null {
  const words = searchWords(input);
  return words.length ? ftsMatch(words) : null;
}

/**
 * How many of the newest matching entries a search ranks. A word most entries use ("die") is
 * then ranked among its newest uses, in tens of milliseconds whatever the size of the archive;
 * a rarer one has fewer matches than this, all ranked.
 */
export const searchWindow = 1000;

/**
 * Lists the entries matching a search, best first among the newest searchWindow matches, with
 * their conversation; merged records and tombstones left out. With `groupId`, only entries of
 * that group's conversations (the window counts those alone).
 */
export async function searchEntries(db: Db, input: string, options: { limit: number; offset?: number; groupId?: number }): Promise<SearchHit[]> {
  const words = searchWords(input);
  if (words.length === 0) return [];
  const q = fullTextQuery(db, words);
  const inGroup = options.groupId === undefined ? sql`` : sql`and e.conversation_id in ${conversationIdsIn(db, await listGroupConversationIds(db, options.groupId))}`;
  const alive = sql<boolean>`e.same_as_id is null and e.tombstoned_at is null ${inGroup}`;
  const rows = await sql<{
    id: number;
    kind: EntryKind;
    title: string | null;
    author_name: string | null;
    sort_at: string;
    lang: string | null;
    blog_id: number | null;
    blog_title: string | null;
    blog_home_url: string | null;
    conversation_id: number;
    conversation_title: string | null;
    snippet: string | null;
  }>`with m as materialized (${q.newestMatches(searchWindow, alive)})
    select e.id, e.kind, e.title, e.author_name, e.sort_at, e.lang, e.blog_id,
      b.title as blog_title, b.home_url as blog_home_url,
      c.id as conversation_id, c.title as conversation_title,
      ${q.snippet} as snippet
    from m
    join entries e on e.id = m.id
    join conversations c on c.id = e.conversation_id
    left join blogs b on b.id = e.blog_id
    where c.merged_into_id is null
    order by m.score, e.sort_at desc
    limit ${options.limit} offset ${options.offset ?? 0}`.execute(db);
  return rows.rows.map((r) => ({
    entryId: r.id,
    kind: r.kind,
    title: r.title,
    authorName: r.author_name,
    sortAt: r.sort_at,
    lang: r.lang,
    blog: r.blog_id !== null && r.blog_home_url !== null ? { id: r.blog_id, title: r.blog_title, homeUrl: r.blog_home_url } : null,
    conversationId: r.conversation_id,
    conversationTitle: r.conversation_title,
    snippet: r.snippet ?? '',
  }));
}
