// The shapes of conversations kept for their pages: what is kept with a shape (a map laid out)
// is made once per version, a few versions at once, and weighs in the cache's bound of entries,
// so paging through large debates in several languages cannot grow memory past it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import type { Conversation } from '../../src/domain/models.ts';
import { findConversation } from '../../src/store/conversations.ts';
import { createConversationPages } from '../../src/web/conversation-pages.ts';
import { createTestDatabase } from '../support/db.ts';
import { recordStatements } from '../support/statements.ts';

let database: OpenedDatabase;
const now = '2026-01-01T00:00:00.000Z';

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

/** A conversation of `n` posts of one blog, none answering another. */
async function conversationOf(n: number, name: string): Promise<Conversation> {
  const db = database.db;
  const blog = await db.insertInto('blogs').values({ home_url: `http://${name}.example/`, url_key: `${name}.example`, title: name, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const { id } = await db.insertInto('conversations').values({ entry_count: n, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  await db
    .insertInto('entries')
    .values(
      Array.from({ length: n }, (_, i) => ({
        blog_id: blog.id, kind: 'post' as const, identity: `${name}:${i}`, url: `http://${name}.example/p/${i}/`, url_key: `${name}.example/p/${i}`,
        title: `Beitrag ${i}`, content_html: '<p>Text</p>', published_at: now, sort_at: now, content_hash: `h${i}`, first_seen_at: now, changed_at: now, conversation_id: id,
      })),
    )
    .execute();
  const found = await findConversation(db, id);
  if (!found || !('conversation' in found)) throw new Error('no conversation');
  return found.conversation;
}

describe('createConversationPages', () => {
  it('makes what is kept with a shape once per version, keeps a few versions, and counts them in its bound', async () => {
    const pages = createConversationPages({ db: database.db, budget: { maxEntries: 5, maxChars: 1_000_000 }, maxCachedEntries: 30 });
    const [a, b] = [await conversationOf(10, 'a'), await conversationOf(10, 'b')];
    let made = 0;
    const keep = (c: Conversation, version: string) => pages.keptWithShape(c, version, async (read) => (made++, `${version}:${read.outline.length}`));

    expect(await keep(a, 'en')).toBe('en:10');
    expect(await keep(a, 'en')).toBe('en:10');
    expect(made).toBe(1);
    expect((await pages.load(a, 'timeline', 2)).layout.pageCount).toBe(2);
    // Its shape and two versions: 30 entries' weight, the whole bound.
    await keep(a, 'de');
    expect(made).toBe(2);
    // Another shape goes beyond the bound: the oldest (a, with what was kept) goes.
    await pages.shape(b, 'timeline');
    await keep(a, 'en');
    expect(made).toBe(3);

    // Beyond six versions of one shape, the one used least recently is made again: a version
    // in use (what the others are made from) stays.
    const roomy = createConversationPages({ db: database.db, budget: { maxEntries: 5, maxChars: 1_000_000 } });
    made = 0;
    for (const version of ['1', '2', '3', '4', '5', '6']) await roomy.keptWithShape(b, version, async () => made++);
    await roomy.keptWithShape(b, '1', async () => made++);
    await roomy.keptWithShape(b, '7', async () => made++);
    expect(made).toBe(7);
    await roomy.keptWithShape(b, '1', async () => made++);
    expect(made).toBe(7);
    await roomy.keptWithShape(b, '2', async () => made++);
    expect(made).toBe(8);
  });

  it("gives an entry's chain up to its post from the shape of this version, read once, and ends where replies loop", async () => {
    const db = database.db;
    const pages = createConversationPages({ db, budget: { maxEntries: 5, maxChars: 1_000_000 } });
    const c = await conversationOf(4, 'k');
    const ids = (await db.selectFrom('entries').select('id').where('conversation_id', '=', c.id).orderBy('id').execute()).map((r) => r.id);
    const [post, answer, reply, other] = ids as [number, number, number, number];
    const edge = (from: number, to: number) => ({ from_entry_id: from, to_entry_id: to, type: 'comment-of' as const, target: `url:${to}`, created_at: now });
    await db.insertInto('edges').values([edge(answer, post), edge(reply, answer)]).execute();

    const chainIds = async (conversation: Conversation, id: number) => (await pages.chainOf(conversation, id)).map((e) => e.id).sort((a, b) => a - b);
    expect(await chainIds(c, reply)).toEqual([post, answer, reply]);
    expect(await chainIds(c, post)).toEqual([post]);

    // An answer that arrives without the conversation's version moving is not read again: the
    // shape of this version stands (threading moves the version with every arrival).
    await db.insertInto('edges').values(edge(post, other)).execute();
    expect(await chainIds(c, reply)).toEqual([post, answer, reply]);

    // The next version reads the shape again; where replies loop, the chain ends.
    await db.insertInto('edges').values(edge(other, reply)).execute();
    await db.updateTable('conversations').set({ updated_at: '2026-01-02T00:00:00.000Z' }).where('id', '=', c.id).execute();
    const next = await findConversation(db, c.id);
    if (!next || !('conversation' in next)) throw new Error('no conversation');
    expect(await chainIds(next.conversation, reply)).toEqual([post, answer, reply, other]);
  });

  it('reads a shape once for requests that come while it is read, and makes what is kept with it once for them', async () => {
    const pages = createConversationPages({ db: database.db, budget: { maxEntries: 5, maxChars: 1_000_000 } });
    const c = await conversationOf(1_200, 'big');
    const { sql: ran } = await recordStatements(() => Promise.all([pages.load(c, 'timeline', 1), pages.load(c, 'timeline', 3), pages.shape(c, 'thread'), pages.chainOf(c, 1)]));
    // One statement of the ids, in time order, whoever asked.
    expect(ran.filter((s) => /^select "id", "sort_at" from "entries" where "conversation_id" = (\?|\$1) and \("sort_at", "id"\) > /.test(s)).length).toBe(1);
    let made = 0;
    const slow = async () => {
      made += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return made;
    };
    expect(await Promise.all([pages.keptWithShape(c, 'map', slow), pages.keptWithShape(c, 'map', slow)])).toEqual([1, 1]);
    expect(await pages.keptWithShape(c, 'map', slow)).toBe(1);
    expect(made).toBe(1);
  });
});
