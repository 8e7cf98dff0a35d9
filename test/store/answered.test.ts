import { beforeEach, describe, expect, it } from 'vitest';
import { listAnsweredEntries } from '../../src/store/answered.ts';
import { updateSameAs } from '../../src/store/threads.ts';
import { useStoreGraph } from '../support/store-graph.ts';

const store = useStoreGraph();
let blogId: number;

beforeEach(async () => {
  blogId = await store.graph.blog('http://sachar.example/');
});

describe('listAnsweredEntries', () => {
  it('names a comment after its post, with the blog the post is on', async () => {
    const post = await store.graph.entry({ name: 'post', blogId, at: '2008-11-01T00:00:00.000Z', authorName: 'Sachar' });
    const comment = await store.graph.entry({ name: 'comment', blogId, kind: 'comment', at: '2008-11-02T00:00:00.000Z', answers: [['comment-of', post]] });
    const answered = await listAnsweredEntries(store.db, [comment, post]);
    expect([...answered.keys()]).toEqual([comment]);
    expect(answered.get(comment)).toEqual({ id: post, kind: 'post', title: 'Title post', authorName: 'Sachar', blog: { id: blogId, title: 'Blog http://sachar.example/', homeUrl: 'http://sachar.example/' } });
  });

  it('prefers the post a comment is on, then a ping target, then a reply, then a body link', async () => {
    const targets: number[] = [];
    for (const name of ['linked', 'replied', 'pinged', 'commented']) targets.push(await store.graph.entry({ name, at: '2008-11-01T00:00:00.000Z' }));
    const [linked, replied, pinged, commented] = targets as [number, number, number, number];
    const all = await store.graph.entry({
      name: 'all', at: '2008-11-02T00:00:00.000Z',
      answers: [['links-to', linked], ['reply-to', replied], ['linkback', pinged], ['comment-of', commented]],
    });
    const noComment = await store.graph.entry({ name: 'no-comment', at: '2008-11-02T00:00:00.000Z', answers: [['links-to', linked], ['reply-to', replied], ['linkback', pinged]] });
    const replyOrLink = await store.graph.entry({ name: 'reply-or-link', at: '2008-11-02T00:00:00.000Z', answers: [['links-to', linked], ['reply-to', replied]] });
    const answered = await listAnsweredEntries(store.db, [all, noComment, replyOrLink]);
    expect(answered.get(all)?.id).toBe(commented);
    expect(answered.get(noComment)?.id).toBe(pinged);
    expect(answered.get(replyOrLink)?.id).toBe(replied);
  });

  it('follows a ping record merged into a post to the post, and says no blog for a page without one', async () => {
    const page = await store.graph.entry({ name: 'page', at: '2008-11-01T00:00:00.000Z' });
    const record = await store.graph.entry({ name: 'record', kind: 'pingback', at: '2008-11-01T00:00:00.000Z', sourceKey: 'graph.example/page', recordOf: page, via: 'pingback' });
    const reply = await store.graph.entry({ name: 'reply', blogId, kind: 'comment', at: '2008-11-03T00:00:00.000Z', answers: [['reply-to', record]] });
    expect((await listAnsweredEntries(store.db, [reply])).get(reply)).toEqual({ id: page, kind: 'post', title: 'Title page', authorName: null, blog: null });
  });

  it('follows a chain of merged records (a record pointing at a record) to the entry that shows', async () => {
    const page = await store.graph.entry({ name: 'page', at: '2008-11-01T00:00:00.000Z' });
    const first = await store.graph.entry({ name: 'first', kind: 'pingback', at: '2008-11-01T00:00:00.000Z', sourceKey: 'graph.example/page', via: 'pingback' });
    const second = await store.graph.entry({ name: 'second', kind: 'trackback', at: '2008-11-01T00:00:00.000Z', sourceKey: 'graph.example/page', via: 'trackback' });
    await updateSameAs(store.db, second, first);
    await updateSameAs(store.db, first, page);
    const reply = await store.graph.entry({ name: 'reply', kind: 'comment', at: '2008-11-03T00:00:00.000Z', answers: [['comment-of', second]] });
    expect((await listAnsweredEntries(store.db, [reply])).get(reply)?.id).toBe(page);
  });

  it('leaves out an entry whose target turns out to be itself', async () => {
    const post = await store.graph.entry({ name: 'post', at: '2008-11-01T00:00:00.000Z' });
    // The post's own ping record, which the post links to, shows as the post.
    const record = await store.graph.entry({ name: 'record', kind: 'webmention', at: '2008-11-01T00:00:00.000Z', sourceKey: 'graph.example/post', recordOf: post, via: 'webmention' });
    await store.db.insertInto('edges').values({ from_entry_id: post, type: 'links-to', target: `entry:${record}`, to_entry_id: record, to_url: null, created_at: store.graph.now() }).execute();
    await store.db.insertInto('edges').values({ from_entry_id: post, type: 'reply-to', target: `entry:${post}`, to_entry_id: post, to_url: null, created_at: store.graph.now() }).execute();
    expect((await listAnsweredEntries(store.db, [post])).size).toBe(0);
  });

  it('passes over an edge to itself for the next relation it has', async () => {
    const linked = await store.graph.entry({ name: 'linked', at: '2008-11-01T00:00:00.000Z' });
    const post = await store.graph.entry({ name: 'post', at: '2008-11-02T00:00:00.000Z', answers: [['links-to', linked]] });
    // A reply-to itself would win over links-to if it counted.
    await store.db.insertInto('edges').values({ from_entry_id: post, type: 'reply-to', target: `entry:${post}`, to_entry_id: post, to_url: null, created_at: store.graph.now() }).execute();
    expect((await listAnsweredEntries(store.db, [post])).get(post)?.id).toBe(linked);
  });

  it('answers an empty list without asking, and each of repeated ids once', async () => {
    expect((await listAnsweredEntries(store.db, [])).size).toBe(0);
    const post = await store.graph.entry({ name: 'post', at: '2008-11-01T00:00:00.000Z' });
    const comment = await store.graph.entry({ name: 'comment', kind: 'comment', at: '2008-11-02T00:00:00.000Z', answers: [['comment-of', post]] });
    const answered = await listAnsweredEntries(store.db, [comment, comment, 999_999]);
    expect([...answered.entries()].map(([from, to]) => [from, to.id])).toEqual([[comment, post]]);
  });
});
