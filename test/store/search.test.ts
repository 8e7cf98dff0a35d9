import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { snippetMarks } from '../../src/domain/models.ts';
import { recordEntry } from '../../src/ingest/record-entry.ts';
import { draftEntry } from '../../src/reader/entry-draft.ts';
import type { FeedItem } from '../../src/reader/types.ts';
import { searchEntries, toFtsQuery } from '../../src/store/search.ts';
import { relationsOf } from '../../src/threading/relations.ts';
import { createTestDatabase } from '../support/db.ts';

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
  it('makes every word a quoted prefix, so no input reaches FTS5 as an operator', () => {
    expect(toFtsQuery('Social Media')).toBe('"Social"* "Media"*');
    expect(toFtsQuery('camp" OR NEAR(x) *')).toBe('"camp"* "OR"* "NEAR"* "x"*');
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
