// What a conversation's map reads: every node once in time order with its blog, and every
// answer between two nodes once (a ping record stands for the post it merged with); and the
// activity per day and the blogs in joining order that the home page draws small.
import { describe, expect, it } from 'vitest';
import { readConversationShape } from '../../src/store/conversations.ts';
import { listConversationActivity, readDebateMap } from '../../src/store/debate-map.ts';
import { storeDebate, useStoreGraph } from '../support/store-graph.ts';

const store = useStoreGraph();

async function conversationOf(entryId: number): Promise<number> {
  return (await store.db.selectFrom('entries').select('conversation_id').where('id', '=', entryId).executeTakeFirstOrThrow()).conversation_id!;
}

describe('readDebateMap', () => {
  it('reads each node once, a ping record standing for its post, and each answer once with its most telling type', async () => {
    const g = await storeDebate(store.graph);
    const id = await conversationOf(g.post);
    const map = await readDebateMap(store.db, id, await readConversationShape(store.db, id));
    expect(map.entries.map((e) => [e.id, e.kind, e.blog?.id ?? null])).toEqual([
      [g.post, 'post', g.home],
      [g.comment, 'comment', g.home],
      [g.reply, 'comment', g.home],
      [g.answer, 'post', g.away],
    ]);
    expect(map.entries[0]).toMatchObject({ title: 'Title post', sortAt: '2008-11-01T00:00:00.000Z', tombstoned: false });
    expect(map.edges).toEqual([
      { fromId: g.comment, toId: g.post, type: 'comment-of' },
      { fromId: g.reply, toId: g.post, type: 'comment-of' },
      { fromId: g.reply, toId: g.comment, type: 'reply-to' },
      { fromId: g.answer, toId: g.post, type: 'linkback' },
    ]);
  });

  it('keeps both edges of a circle of replies', async () => {
    const blog = await store.graph.blog('http://circle.example/');
    const a = await store.graph.entry({ name: 'a', blogId: blog, at: '2008-11-01T00:00:00.000Z' });
    const b = await store.graph.entry({ name: 'b', blogId: blog, kind: 'comment', at: '2008-11-02T00:00:00.000Z', answers: [['reply-to', a]] });
    await store.db.insertInto('edges').values({ from_entry_id: a, type: 'reply-to', target: `entry:${b}`, to_entry_id: b, to_url: null, to_site: null, created_at: store.graph.now() }).execute();
    const id = await conversationOf(a);
    const map = await readDebateMap(store.db, id, await readConversationShape(store.db, id));
    expect(map.edges.map((e) => `${e.fromId}>${e.toId}`)).toEqual([`${a}>${b}`, `${b}>${a}`]);
  });

  it('reads a big debate with its pause between parts and within its edges, the same as without', async () => {
    // A post and 4,499 comments on it, stored directly: nine parts of entries, and more edges than one stretch of work.
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
    const blog = await store.db.insertInto('blogs').values({ home_url: 'http://big.example/', url_key: 'big.example', site: 'big.example', title: 'Big', created_at: at(0), updated_at: at(0) }).returning('id').executeTakeFirstOrThrow();
    const { id } = await store.db.insertInto('conversations').values({ entry_count: 4_500, created_at: at(0), updated_at: at(0) }).returning('id').executeTakeFirstOrThrow();
    let post = 0;
    for (let i = 0; i < 4_500; i++) {
      const row = await store.db
        .insertInto('entries')
        .values({ blog_id: blog.id, kind: i === 0 ? 'post' : 'comment', identity: `e${i}`, url: `http://big.example/${i}`, url_key: `big.example/${i}`, content_html: '<p>x</p>', sort_at: at(i), content_hash: `h${i}`, first_seen_at: at(0), changed_at: at(0), conversation_id: id })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (i === 0) post = row.id;
      else await store.db.insertInto('edges').values({ from_entry_id: row.id, type: 'comment-of', target: 'url:big.example/0', to_entry_id: post, created_at: at(0) }).execute();
    }
    const shape = await readConversationShape(store.db, id);
    let pauses = 0;
    const paced = await readDebateMap(store.db, id, shape, { pause: async () => void (pauses += 1) });
    // Nine before the parts of entries, one before the edges, one within them after 4,096, one before their sort.
    expect(pauses).toBe(9 + 1 + 1 + 1);
    expect(paced).toEqual(await readDebateMap(store.db, id, shape));
    expect([paced.entries.length, paced.edges.length]).toEqual([4_500, 4_499]);
  });
});

describe('listConversationActivity', () => {
  it('counts entries per UTC day without ping records, and lists blogs in the order they joined', async () => {
    const g = await storeDebate(store.graph);
    const id = await conversationOf(g.post);
    const activity = await listConversationActivity(store.db, [id, 999]);
    expect(activity.get(id)).toEqual({
      days: [
        { day: '2008-11-01', count: 1 },
        { day: '2008-11-02', count: 1 },
        { day: '2008-11-03', count: 1 },
        { day: '2008-11-04', count: 1 },
      ],
      blogs: [
        { id: g.home, title: 'Blog http://sachar.example/', homeUrl: 'http://sachar.example/' },
        { id: g.away, title: 'Blog http://kuhn.example/', homeUrl: 'http://kuhn.example/' },
      ],
    });
    expect(activity.get(999)).toEqual({ days: [], blogs: [] });
    expect((await listConversationActivity(store.db, [])).size).toBe(0);
  });
});
