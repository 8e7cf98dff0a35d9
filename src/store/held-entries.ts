// store: entries of a blog that waits for a moderator. They are stored with their channel (so
// the moderator sees what the blog posts, and approving it loses nothing) but not threaded: no
// edges, no conversation, so no page, feed or search shows them and nothing threads onto them.
import type { EntryDraft } from '../domain/models.ts';
import type { Channel } from '../domain/vocabulary.ts';
import type { Db } from '../db/open.ts';

import type { EntryRelations } from '../threading/relations.ts';
import { upsertEntry, type UpsertOutcome } from './entries.ts';

/** Stores an entry of a pending blog without threading it. */
export async function recordHeldEntry(db: Db, input: { blogId: number; draft: EntryDraft; via: Channel; kind: EntryDraft['kind'] }, now: string): Promise<{ id: number; outcome: UpsertOutcome }> {
  const { id, outcome } = await upsertEntry(db, input.blogId, { ...input.draft, kind: input.kind }, now);
  await db
    .insertInto('entry_channels')
    .values({ entry_id: id, via: input.via, first_seen_at: now })
    .onConflict((oc) => oc.columns(['entry_id', 'via']).doNothing())
    .execute();
  return { id, outcome };
}

/** Tells whether an entry's relations name an entry that is threaded (shown) already. */
export async function answersThreadedEntry(db: Db, relations: EntryRelations): Promise<boolean> {
  for (const r of relations.relations) {
    if (r.type === 'same-as') continue;
    const colon = r.target.indexOf(':');
    const kind = r.target.slice(0, colon);
    const value = r.target.slice(colon + 1);
    let q = db.selectFrom('entries').select('id').where('conversation_id', 'is not', null);
    if (kind === 'url') q = q.where('url_key', '=', value);
    else if (kind === 'ref') q = q.where('guid', '=', value);
    else if (kind === 'entry') q = q.where('id', '=', Number(value));
    else continue;
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
