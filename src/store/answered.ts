// store: what entries are about, for naming them in lists (blog pages, search results): the
// post a comment is on (its comment-of edge), or the entry a ping or a reply answers. Records
// merged into another entry (same_as_id) are followed to the entry that shows.
import type { Db } from '../db/open.ts';
import type { AnsweredEntry } from '../domain/models.ts';
import type { EdgeType } from '../domain/vocabulary.ts';

// A comment is named after its post, a ping after what it pinged, a reply after its parent.
const preference: EdgeType[] = ['comment-of', 'linkback', 'reply-to', 'links-to'];

/** Finds, for each of `entryIds`, the entry it is about; entries about nothing known are left out. */
export async function listAnsweredEntries(db: Db, entryIds: number[]): Promise<Map<number, AnsweredEntry>> {
  const out = new Map<number, AnsweredEntry>();
  const ids = [...new Set(entryIds)];
  if (ids.length === 0) return out;
  const edges = await db
    .selectFrom('edges')
    .select(['from_entry_id', 'to_entry_id', 'type'])
    .where('from_entry_id', 'in', ids)
    .where('to_entry_id', 'is not', null)
    .where('type', 'in', preference)
    .execute();
  const chosen = new Map<number, { to: number; type: EdgeType }>();
  for (const e of edges) {
    const current = chosen.get(e.from_entry_id);
    if (e.to_entry_id === e.from_entry_id) continue;
    if (!current || preference.indexOf(e.type) < preference.indexOf(current.type)) chosen.set(e.from_entry_id, { to: e.to_entry_id!, type: e.type });
  }
  if (chosen.size === 0) return out;
  // A target may be a ping's record that merged into a post: follow same_as_id a few steps.
  const shown = new Map<number, number>();
  let pending = [...new Set([...chosen.values()].map((c) => c.to))];
  for (const id of pending) shown.set(id, id);
  const rows = new Map<number, AnsweredEntry>();
  for (let round = 0; round < 4 && pending.length; round++) {
    const found = await db
      .selectFrom('entries')
      .leftJoin('blogs', 'blogs.id', 'entries.blog_id')
      .select(['entries.id', 'entries.kind', 'entries.title', 'entries.author_name', 'entries.same_as_id', 'entries.blog_id', 'blogs.title as blog_title', 'blogs.home_url as blog_home_url'])
      .where('entries.id', 'in', pending)
      .execute();
    const next: number[] = [];
    for (const r of found) {
      if (r.same_as_id !== null && r.same_as_id !== r.id) {
        for (const [asked, at] of shown) if (at === r.id) shown.set(asked, r.same_as_id);
        next.push(r.same_as_id);
        continue;
      }
      rows.set(r.id, {
        id: r.id,
        kind: r.kind,
        title: r.title,
        authorName: r.author_name,
        blog: r.blog_id !== null && r.blog_home_url !== null ? { id: r.blog_id, title: r.blog_title, homeUrl: r.blog_home_url } : null,
      });
    }
    pending = [...new Set(next)];
  }
  for (const [from, { to }] of chosen) {
    const target = rows.get(shown.get(to) ?? to);
    if (target && target.id !== from) out.set(from, target);
  }
  return out;
}
