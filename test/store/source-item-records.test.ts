import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { readItemRecord, writeItemRecord, type ItemRecord } from '../../src/store/source-item-records.ts';
import { insertSource } from '../../src/store/sources.ts';
import { createTestDatabase } from '../support/db.ts';

const at = '2026-03-01T12:00:00.000Z';
let database: OpenedDatabase;
let sourceId: number;

beforeEach(async () => {
  database = await createTestDatabase();
  const blog = await insertBlog(database.db, { homeUrl: 'http://blog.example/', urlKey: 'blog.example', title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, at);
  sourceId = (await insertSource(database.db, { blogId: blog.id, kind: 'feed', url: 'http://blog.example/feed/', nextCheckAt: at }, at)).id;
});
afterEach(() => database.close());

const record = (n: number): ItemRecord => ({
  context: `kontext-${n}`,
  items: new Map(Array.from({ length: n }, (_, k) => [`digest-${k}`, { identity: `guid:http://blog.example/?p=${k}`, itemHash: `hash-${k}`, commentCount: k === 0 ? null : k }] as const)),
});

describe('item records', () => {
  it('keeps one record a source, replaced by the next and forgotten by null', async () => {
    expect(await readItemRecord(database.db, sourceId)).toBeNull();
    await writeItemRecord(database.db, sourceId, record(3));
    expect(await readItemRecord(database.db, sourceId)).toEqual(record(3));
    await writeItemRecord(database.db, sourceId, record(2));
    expect(await readItemRecord(database.db, sourceId)).toEqual(record(2));
    await writeItemRecord(database.db, sourceId, null);
    expect(await readItemRecord(database.db, sourceId)).toBeNull();
  });

  it('reads a record it cannot understand as none', async () => {
    for (const text of ['{', '[]', '{"context":1,"items":[]}', '{"context":"k","items":[["d","i",3,null]]}', '{"context":"k","items":[["d","i","h","viele"]]}']) {
      await database.db.insertInto('source_item_records').values({ source_id: sourceId, record: text }).onConflict((oc) => oc.column('source_id').doUpdateSet({ record: text })).execute();
      expect(await readItemRecord(database.db, sourceId), text).toBeNull();
    }
  });
});
