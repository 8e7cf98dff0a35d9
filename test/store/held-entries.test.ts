import { describe, expect, it } from 'vitest';
import type { RelationDraft } from '../../src/domain/edges.ts';
import { answersThreadedEntry, listHeldEntries } from '../../src/store/held-entries.ts';
import { graphUrlKey, useStoreGraph } from '../support/store-graph.ts';

const store = useStoreGraph();

const byUrl = (name: string): RelationDraft => ({ type: 'links-to', target: { kind: 'url', key: graphUrlKey(name) }, toUrl: null });

describe('answersThreadedEntry', () => {
  it('tells a relation to a threaded entry by URL key, guid or id', async () => {
    const shown = await store.graph.entry({ name: 'shown', at: '2008-11-01T00:00:00.000Z' });
    expect(await answersThreadedEntry(store.db, [byUrl('shown')])).toBe(true);
    expect(await answersThreadedEntry(store.db, [{ type: 'reply-to', target: { kind: 'ref', guid: 'urn:graph:shown' }, toUrl: null }])).toBe(true);
    expect(await answersThreadedEntry(store.db, [{ type: 'comment-of', target: { kind: 'entry', id: shown }, toUrl: null }])).toBe(true);
  });

  it('does not count an entry that is held itself, an unknown target or a same-as relation', async () => {
    const blogId = await store.graph.blog('http://waiting.example/');
    const held = await store.graph.entry({ name: 'held', blogId, at: '2008-11-01T00:00:00.000Z', held: true });
    await store.graph.entry({ name: 'shown', at: '2008-11-01T00:00:00.000Z' });
    expect(await answersThreadedEntry(store.db, [byUrl('held'), byUrl('nowhere')])).toBe(false);
    expect(await answersThreadedEntry(store.db, [{ type: 'comment-of', target: { kind: 'entry', id: held }, toUrl: null }])).toBe(false);
    // A same-as relation joins a record to its node; it answers nothing.
    expect(await answersThreadedEntry(store.db, [{ type: 'same-as', target: { kind: 'url', key: graphUrlKey('shown') }, toUrl: null }])).toBe(false);
    expect(await answersThreadedEntry(store.db, [])).toBe(false);
  });

  it('answers true when any one of several relations names a threaded entry', async () => {
    await store.graph.entry({ name: 'shown', at: '2008-11-01T00:00:00.000Z' });
    expect(await answersThreadedEntry(store.db, [byUrl('nowhere'), byUrl('shown')])).toBe(true);
  });
});

describe('listHeldEntries', () => {
  it("lists only the blog's entries, newest first, ties by id, up to the limit", async () => {
    const waiting = await store.graph.blog('http://waiting.example/');
    const other = await store.graph.blog('http://other.example/');
    const old = await store.graph.entry({ name: 'old', blogId: waiting, at: '2008-11-01T00:00:00.000Z', held: true });
    const sameA = await store.graph.entry({ name: 'same-a', blogId: waiting, at: '2008-11-02T00:00:00.000Z', held: true });
    const sameB = await store.graph.entry({ name: 'same-b', blogId: waiting, at: '2008-11-02T00:00:00.000Z', held: true });
    await store.graph.entry({ name: 'elsewhere', blogId: other, at: '2008-11-03T00:00:00.000Z', held: true });

    const all = await listHeldEntries(store.db, waiting, 10);
    expect(all.map((e) => e.id)).toEqual([sameB, sameA, old]);
    expect(all[0]).toEqual({ id: sameB, title: 'Title same-b', url: 'http://graph.example/same-b/', excerpt: null, sortAt: '2008-11-02T00:00:00.000Z' });
    expect((await listHeldEntries(store.db, waiting, 2)).map((e) => e.id)).toEqual([sameB, sameA]);
    expect(await listHeldEntries(store.db, await store.graph.blog('http://empty.example/'), 10)).toEqual([]);
  });
});
