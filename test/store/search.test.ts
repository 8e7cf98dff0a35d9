import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { snippetMarks } from '../../src/domain/models.ts';
import { recordEntry } from '../../src/ingest/record-entry.ts';
import { draftEntry } from '../../src/reader/entry-draft.ts';
import type { FeedItem } from '../../src/reader/types.ts';
import { insertGroup, insertGroupMembers } from '../../src/store/groups.ts';
import { searchEntries, searchWindow, toFtsQuery } from '../../src/store/search.ts';
import { relationsOf } from '../../src/threading/relations.ts';
import { createTestDatabase } from '../support/db.ts';
import { recordStatements } from '../support/statements.ts';

let database: OpenedDatabase;

async function post(n: number, title: string, contentHtml: string, authorName = 'Sachar') {
  const url = `http://sachar.example/${n}/`;
  const item: FeedItem = {
    guid: url, url, title, authorName, authorUrl: null, contentHtml, summaryHtml: null, publishedAt: `2008-11-1${n}T08:00:00.000Z`, updatedAt: null,
    commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: url, lang: 'de',
  };
  const draft = draftEntry(item, 'post');
  return recordEntry(database.db, { blogId: null, draft, via: 'feed', relations: relationsOf(draft, { via: 'feed', post: null, inReplyTo: [] }) }, '2026-01-01T00:00:00.000Z');
}

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('toFtsQuery', () => {
  it('makes every word quoted, a prefix from three letters on, so no input reaches FTS5 as an operator', () => {
    expect(toFtsQuery('Social Media')).toBe('"Social"* "Media"*');
    expect(toFtsQuery('camp" OR NEAR(x) *')).toBe('"camp"* "OR" "NEAR"* "x"');
    expect(toFtsQuery('  …  ')).toBeNull();
  });
});

describe('searchEntries', () => {
  it('finds words as prefixes, diacritics folded, a title match first, with the match marked', async () => {
    const inText = await post(1, 'Ein Exkurs', '<p>Das Barcamp in München wäre schön.</p>');
    const inTitle = await post(2, 'Barcamp-Idee', '<p>Nichts weiter.</p>');
    const hits = await searchEntries(database.db, 'barcamp munchen', { limit: 10 });
    expect(hits.map((h) => h.entryId)).toEqual([inText.id]);
    expect(hits[0]!.snippet).toContain(`${snippetMarks.start}München${snippetMarks.end}`);
    expect((await searchEntries(database.db, 'barc', { limit: 10 })).map((h) => h.entryId)).toEqual([inTitle.id, inText.id]);
    expect(hits[0]).toMatchObject({ kind: 'post', conversationId: inText.conversationId, blog: null });
  });

  it('finds nothing for a query without words', async () => {
    await post(1, 'Ein Exkurs', '<p>Text</p>');
    expect(await searchEntries(database.db, '***', { limit: 10 })).toEqual([]);
  });
});

describe('searchEntries over a long archive', () => {
  const now = '2026-01-01T00:00:00.000Z';
  // Entry `id` of blog `blog` in conversation `blog`, `id` minutes into 2008-11-01, its words in its title or text.
  async function seed(from: number, to: number, blog: number, place: { title?: string; text?: string }) {
    const rows = Array.from({ length: to - from + 1 }, (_, k) => {
      const i = from + k;
      const at = new Date(Date.UTC(2008, 10, 1) + i * 60_000).toISOString();
      return {
        id: i, blog_id: blog, kind: 'post' as const, identity: `guid:${i}`, guid: `g${i}`, url: `http://blog${blog}.example/${i}/`, url_key: `blog${blog}.example/${i}`,
        title: place.title ?? 'Ein Beitrag', content_html: '<p>x</p>', content_text: place.text ?? 'Nichts weiter.',
        published_at: at, sort_at: at, content_hash: `h${i}`, first_seen_at: now, changed_at: now, conversation_id: blog,
      };
    });
    for (let k = 0; k < rows.length; k += 200) await database.db.insertInto('entries').values(rows.slice(k, k + 200)).execute();
  }

  beforeEach(async () => {
    for (const blog of [1, 2]) {
      await sql`insert into blogs (id, home_url, url_key, title, created_at, updated_at) values (${blog}, ${`http://blog${blog}.example/`}, ${`blog${blog}.example`}, ${`Blog ${blog}`}, ${now}, ${now})`.execute(database.db);
      await sql`insert into conversations (id, created_at, updated_at) values (${blog}, ${now}, ${now})`.execute(database.db);
    }
    // The oldest entry has the word in its title, the best match; after it come searchWindow
    // entries of another blog with the word in their text.
    await seed(1, 1, 1, { title: 'Debatte' });
    await seed(2, searchWindow + 1, 2, { text: 'Zur Debatte steht das Camp.' });
  });

  it('ranks the newest matches only, so a word of every entry costs the same in any archive', async () => {
    const hits = await searchEntries(database.db, 'Debatte', { limit: 3 });
    expect(hits.map((h) => h.entryId)).not.toContain(1);
    expect(hits).toHaveLength(3);
    await seed(searchWindow + 2, searchWindow + 2, 2, { title: 'Debatte' });
    expect((await searchEntries(database.db, 'Debatte', { limit: 3 }))[0]!.entryId).toBe(searchWindow + 2);
  });

  it("counts a group's window among the group's entries alone", async () => {
    const group = await insertGroup(database.db, { slug: 'eins', title: 'Eins', description: null, lang: null, event: null }, now);
    await insertGroupMembers(database.db, group.id, [1], now);
    expect((await searchEntries(database.db, 'Debatte', { limit: 3, groupId: group.id })).map((h) => h.entryId)).toEqual([1]);
  });

  it("searches among the group's conversation ids as kept, and follows a blog joining it", async () => {
    const group = await insertGroup(database.db, { slug: 'eins', title: 'Eins', description: null, lang: null, event: null }, now);
    await insertGroupMembers(database.db, group.id, [1], now);
    // The search itself does not walk the member blogs' entries (280 ms for 110,000 of them):
    // it takes the ids the group's pages keep (listGroupConversationIds).
    const { result, sql: statements } = await recordStatements(() => searchEntries(database.db, 'Debatte', { limit: 3, groupId: group.id }));
    expect(result.map((h) => h.entryId)).toEqual([1]);
    const search = statements.filter((s) => /\bm as\b/i.test(s));
    expect(search).toHaveLength(1);
    expect(search[0]).not.toMatch(/group_members/);
    await insertGroupMembers(database.db, group.id, [2], now);
    expect((await searchEntries(database.db, 'Debatte', { limit: 3, groupId: group.id }))[0]!.entryId).toBe(searchWindow + 1);
  });

  it('matches words shorter than three letters whole, not as prefixes', async () => {
    await seed(searchWindow + 2, searchWindow + 2, 1, { text: 'Die KI im Kino.' });
    expect((await searchEntries(database.db, 'KI', { limit: 3 })).map((h) => h.entryId)).toEqual([searchWindow + 2]);
    expect(await searchEntries(database.db, 'Ki Kin', { limit: 3 })).toHaveLength(1);
    expect(await searchEntries(database.db, 'K', { limit: 3 })).toEqual([]);
  });
});
