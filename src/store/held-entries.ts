// store: entries of a blog that waits for a moderator. They are stored with their channel (so
// the moderator sees what the blog posts, and approving it loses nothing) but not threaded: no
// edges, no conversation, so no page, feed or search shows them and nothing threads onto them.
// Storing one is ingest/record-entry.ts's recordHeldEntry; these are the queries about them.
import type { Db } from '../db/open.ts';
import type { RelationDraft } from '../domain/edges.ts';

/** Tells whether an entry's relations name an entry that is threaded (shown) already. */
export async function answersThreadedEntry(db: Db, relations: RelationDraft[]): Promise<boolean> {
  for (const r of relations) {
    if (r.type === 'same-as') continue;
    let q = db.selectFrom('entries').select('id').where('conversation_id', 'is not', null);
    const t = r.target;
    q = t.kind === 'url' ? q.where('url_key', '=', t.key) : t.kind === 'ref' ? q.where('guid', '=', t.guid) : q.where('id', '=', t.id);
    if (await q.limit(1).executeTakeFirst()) return true;
  }
  return false;
}

/** Lists a pending blog's newest entries, for the moderator. */
export async function listHeldEntries(db: Db, blogId: number, limit: number): Promise<{ id: number; title: string | null; url: string | null; excerpt: string | null; sortAt: string }[]> {
  const rows = await db
    .selectFrom('entries')
    .select(['id', 'title', 'url', 'excerpt', 'sort_at'])
    .where('blog_id', '=', blogId)
    .orderBy('sort_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, title: r.title, url: r.url, excerpt: r.excerpt, sortAt: r.sort_at }));
}
