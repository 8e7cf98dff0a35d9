import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EntryDraft } from '../../src/domain/models.ts';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { countEntries, countEntriesOfBlogs, listRecentEntries, upsertEntry } from '../../src/store/entries.ts';
import { createTestDatabase } from '../support/db.ts';

let database: OpenedDatabase;
let blogId: number;
const t0 = '2026-01-01T00:00:00.000Z';

function draft(patch: Partial<EntryDraft> = {}): EntryDraft {
  return {
    kind: 'post', identity: 'guid:http://a.example/?p=1', guid: 'http://a.example/?p=1', url: 'http://a.example/p1/', urlKey: 'a.example/p1',
    title: 'Eins', authorName: 'A', authorUrl: null, contentHtml: '<p>x</p>', excerpt: 'x', lang: 'de', publishedAt: '2008-11-01T10:00:00.000Z',
    updatedAt: null, commentCount: 0, commentFeedUrl: null, commentsPageUrl: null, trackbackPingUrl: null, contentHash: 'h1', ...patch,
  };
}

beforeEach(async () => {
  database = await createTestDatabase();
  blogId = (await insertBlog(database.db, { homeUrl: 'http://a.example/', urlKey: 'a.example', title: 'A', description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, t0)).id;
});
afterEach(async () => {
  await database.close();
});

describe('upsertEntry', () => {
  it('inserts once and leaves the same entry alone when seen again', async () => {
    const first = await upsertEntry(database.db, blogId, draft(), t0, { contentText: 'x' });
    const again = await upsertEntry(database.db, blogId, draft(), t0, { contentText: 'x' });
    expect(first.outcome).toBe('inserted');
    expect(again).toMatchObject({ id: first.id, outcome: 'unchanged' });
    expect(await countEntries(database.db)).toBe(1);
  });

  it('updates an edited entry in place', async () => {
    const first = await upsertEntry(database.db, blogId, draft(), t0, { contentText: 'x' });
    const edited = await upsertEntry(database.db, blogId, draft({ title: 'Eins (ergänzt)', contentHash: 'h2' }), '2026-01-02T00:00:00.000Z', { contentText: 'x' });
    expect(edited).toMatchObject({ id: first.id, outcome: 'updated' });
    const [row] = await listRecentEntries(database.db, { limit: 5 });
    expect(row).toMatchObject({ title: 'Eins (ergänzt)', changedAt: '2026-01-02T00:00:00.000Z', firstSeenAt: t0 });
  });

  it('keeps the comment count current without counting it as an edit', async () => {
    await upsertEntry(database.db, blogId, draft(), t0, { contentText: 'x' });
    const r = await upsertEntry(database.db, blogId, draft({ commentCount: 4 }), t0, { contentText: 'x' });
    expect(r.outcome).toBe('unchanged');
    expect((await listRecentEntries(database.db, { limit: 1 }))[0]!.commentCount).toBe(4);
  });

  it('orders by publication time and falls back to first sight for undated entries', async () => {
    await upsertEntry(database.db, blogId, draft(), t0, { contentText: 'x' });
    await upsertEntry(database.db, blogId, draft({ identity: 'hash:abc', guid: null, publishedAt: null, title: 'Undatiert' }), '2009-01-01T00:00:00.000Z', { contentText: 'x' });
    const rows = await listRecentEntries(database.db, { limit: 5 });
    expect(rows.map((r) => r.title)).toEqual(['Undatiert', 'Eins']);
    expect(rows[0]!.blog).toEqual({ id: blogId, title: 'A', homeUrl: 'http://a.example/' });
  });
});

describe('countEntriesOfBlogs', () => {
  it('counts each blog’s entries as countEntries does, records merged into another entry left out', async () => {
    const other = (await insertBlog(database.db, { homeUrl: 'http://b.example/', urlKey: 'b.example', title: 'B', description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, t0)).id;
    const empty = (await insertBlog(database.db, { homeUrl: 'http://c.example/', urlKey: 'c.example', title: 'C', description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, t0)).id;
    const ids: number[] = [];
    for (let i = 1; i <= 3; i++) ids.push((await upsertEntry(database.db, blogId, draft({ identity: `guid:${i}`, guid: `${i}`, url: `http://a.example/p${i}/`, urlKey: `a.example/p${i}` }), t0, { contentText: 'x' })).id);
    const record = (await upsertEntry(database.db, other, draft({ identity: 'guid:b1', guid: 'b1', url: 'http://a.example/p1/', urlKey: 'a.example/p1' }), t0, { contentText: 'x' })).id;
    await upsertEntry(database.db, other, draft({ identity: 'guid:b2', guid: 'b2', url: 'http://b.example/p2/', urlKey: 'b.example/p2' }), t0, { contentText: 'x' });
    // The other blog's first entry is a record of the first blog's post (as a ping's record is).
    await database.db.updateTable('entries').set({ same_as_id: ids[0]! }).where('id', '=', record).execute();
    const counts = await countEntriesOfBlogs(database.db, [blogId, other, empty]);
    expect([...counts].sort((a, b) => a[0] - b[0])).toEqual([[blogId, 3], [other, 1]]);
    expect(counts.get(other)).toBe(await countEntries(database.db, other));
    expect(await countEntriesOfBlogs(database.db, [])).toEqual(new Map());
  });
});
