// store: what a conversation's map shows, without contents: every node with its blog, author,
// title and time (read in parts, with a pause between them), and every edge between two nodes (a record of a ping stands for
// the node it merged with); and the brief activity of conversations the home page draws small.
import { sql } from 'kysely';
import type { Db } from '../db/open.ts';
import type { BlogRef, ConversationActivity, DebateMapData, DebateMapEdge } from '../domain/models.ts';
import type { EdgeType } from '../domain/vocabulary.ts';
import { workPerPause, type ConversationShapeRead, type ReadPause } from './conversations.ts';

// Two nodes joined by several edges (a link and the ping it sent) are one answer: the most telling type.
const edgePreference: DebateMapEdge['type'][] = ['reply-to', 'comment-of', 'linkback', 'links-to'];

// Lists of ids stay well under SQLite's limit of bound variables per statement.
const idChunk = 500;

/** Reads a conversation's map: its nodes in time order and the edges between them, each pair once. */
export async function readDebateMap(db: Db, conversationId: number, read: ConversationShapeRead, options: { pause?: ReadPause } = {}): Promise<DebateMapData> {
  const { shape } = read;
  const pause = options.pause ?? (async () => {});
  const ids = shape.visible.map((r) => r.id);
  const details = new Map<number, { kind: DebateMapData['entries'][number]['kind']; blog: BlogRef | null; authorName: string | null; title: string | null }>();
  for (let i = 0; i < ids.length; i += idChunk) {
    await pause();
    const rows = await db
      .selectFrom('entries')
      .leftJoin('blogs', 'blogs.id', 'entries.blog_id')
      .select(['entries.id', 'entries.kind', 'entries.author_name', 'entries.title', 'blogs.id as blog_id', 'blogs.title as blog_title', 'blogs.home_url as blog_home_url'])
      .where('entries.id', 'in', ids.slice(i, i + idChunk))
      .execute();
    for (const r of rows) {
      details.set(r.id, {
        kind: r.kind,
        blog: r.blog_id !== null && r.blog_home_url !== null ? { id: r.blog_id, title: r.blog_title, homeUrl: r.blog_home_url } : null,
        authorName: r.author_name,
        title: r.title,
      });
    }
  }
  const entries = shape.visible.flatMap((r) => {
    const d = details.get(r.id);
    return d ? [{ id: r.id, ...d, sortAt: r.sort_at, tombstoned: r.tombstoned_at !== null }] : [];
  });

  const shown = new Set(entries.map((e) => e.id));
  await pause();
  const best = new Map<string, DebateMapEdge>();
  // The shape read the edges already.
  for (let k = 0; k < shape.edges.length; k++) {
    if (k % workPerPause === workPerPause - 1) await pause();
    const e = shape.edges[k]!;
    if (e.type === 'same-as' || e.to_entry_id === null) continue;
    const fromId = shape.resolve(e.from_entry_id);
    const toId = shape.resolve(e.to_entry_id);
    if (fromId === toId || !shown.has(fromId) || !shown.has(toId)) continue;
    const type = e.type as Exclude<EdgeType, 'same-as'>;
    const key = `${fromId}>${toId}`;
    const known = best.get(key);
    if (!known || edgePreference.indexOf(type) < edgePreference.indexOf(known.type)) best.set(key, { fromId, toId, type });
  }
  await pause();
  const edges = [...best.values()].sort((a, b) => a.fromId - b.fromId || a.toId - b.toId);
  return { conversationId, entries, edges };
}

/** Lists the activity of each given conversation: entries per UTC day and its blogs in the order they joined. */
export async function listConversationActivity(db: Db, conversationIds: number[]): Promise<Map<number, ConversationActivity>> {
  const out = new Map<number, ConversationActivity>();
  if (conversationIds.length === 0) return out;
  for (const id of conversationIds) out.set(id, { days: [], blogs: [] });
  // sort_at is ISO 8601 in UTC: its first ten characters are the day.
  const day = sql<string>`substr(sort_at, 1, 10)`;
  const days = await db
    .selectFrom('entries')
    .select(['conversation_id', day.as('day'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('conversation_id', 'in', conversationIds)
    .where('same_as_id', 'is', null)
    .groupBy(['conversation_id', day])
    .orderBy('conversation_id')
    .orderBy(day)
    .execute();
  for (const r of days) out.get(r.conversation_id!)?.days.push({ day: r.day, count: Number(r.n) });
  const blogs = await db
    .selectFrom('entries')
    .innerJoin('blogs', 'blogs.id', 'entries.blog_id')
    .select(['entries.conversation_id', 'blogs.id', 'blogs.title', 'blogs.home_url', (eb) => eb.fn.min('entries.sort_at').as('first')])
    .where('entries.conversation_id', 'in', conversationIds)
    .where('entries.same_as_id', 'is', null)
    .groupBy(['entries.conversation_id', 'blogs.id', 'blogs.title', 'blogs.home_url'])
    .orderBy('entries.conversation_id')
    .orderBy('first')
    .orderBy('blogs.id')
    .execute();
  for (const r of blogs) out.get(r.conversation_id!)?.blogs.push({ id: r.id, title: r.title, homeUrl: r.home_url });
  return out;
}
