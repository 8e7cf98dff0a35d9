// The post each entry of a debate map is about, found in one pass: the same answer as walking
// every entry up its answers to the first post, on random debates full of circles, and a chain of
// a hundred thousand answers in one pass.
import { describe, expect, it } from 'vitest';
import type { DebateMapData, DebateMapEdge, DebateMapEntry } from '../../../src/domain/models.ts';
import { postsOf } from '../../../src/views/debate-map/posts-of.ts';

const types: DebateMapEdge['type'][] = ['comment-of', 'reply-to', 'linkback', 'links-to'];

/** Each entry walked up its preferred answers until a post or a repeat: what postsOf must agree with. */
function walkedPosts(data: DebateMapData): Map<number, number | null> {
  const byId = new Map(data.entries.map((e) => [e.id, e]));
  const parent = new Map<number, { to: number; rank: number }>();
  for (const edge of data.edges) {
    const rank = types.indexOf(edge.type);
    const known = parent.get(edge.fromId);
    if (!known || rank < known.rank) parent.set(edge.fromId, { to: edge.toId, rank });
  }
  const out = new Map<number, number | null>();
  for (const e of data.entries) {
    const seen = new Set([e.id]);
    let cur = parent.get(e.id)?.to;
    let post: number | null = null;
    while (cur !== undefined && !seen.has(cur)) {
      seen.add(cur);
      if (byId.get(cur)?.kind === 'post') {
        post = cur;
        break;
      }
      cur = parent.get(cur)?.to;
    }
    out.set(e.id, post);
  }
  return out;
}

function randomDebate(seed: number, size: number): DebateMapData {
  let s = seed;
  const next = (n: number) => ((s = (s * 1103515245 + 12345) % 2147483648), s % n);
  const entries: DebateMapEntry[] = Array.from({ length: size }, (_, i) => ({
    id: i + 1, kind: next(4) === 0 ? 'post' : next(3) === 0 ? 'pingback' : 'comment', blog: null, authorName: null, title: null, sortAt: '2026-01-01T00:00:00.000Z', tombstoned: false,
  }));
  const edges: DebateMapEdge[] = [];
  // Answers anywhere, back and forth: circles of every length, through posts and around them, and
  // some to entries the map does not show.
  for (let k = 0; k < size * 1.5; k++) edges.push({ fromId: 1 + next(size), toId: next(10) === 0 ? size + 1 + next(5) : 1 + next(size), type: types[next(4)]! });
  return { conversationId: 1, entries, edges };
}

describe('postsOf', () => {
  it('finds the same post for every entry as walking each one up, whatever circles the answers make', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const data = randomDebate(seed, 2 + (seed % 40));
      const { postOf } = postsOf(data);
      const want = walkedPosts(data);
      for (const e of data.entries) expect([seed, e.id, postOf.get(e.id)?.id ?? null]).toEqual([seed, e.id, want.get(e.id)]);
    }
  });

  it('ends at a post that answers round to itself, as the walk does', () => {
    const entry = (id: number, kind: DebateMapEntry['kind']): DebateMapEntry => ({ id, kind, blog: null, authorName: null, title: null, sortAt: '2026-01-01T00:00:00.000Z', tombstoned: false });
    // 2 and 3 first: they reach post 1 before it comes round; then 1 itself comes round to itself.
    const data: DebateMapData = {
      conversationId: 1,
      entries: [entry(2, 'comment'), entry(3, 'comment'), entry(1, 'post'), entry(4, 'comment')],
      edges: [{ fromId: 1, toId: 2, type: 'links-to' }, { fromId: 2, toId: 3, type: 'comment-of' }, { fromId: 3, toId: 1, type: 'comment-of' }, { fromId: 4, toId: 2, type: 'comment-of' }],
    };
    const { postOf } = postsOf(data);
    expect([1, 2, 3, 4].map((id) => postOf.get(id)?.id ?? null)).toEqual([null, 1, 1, 1]);
  });

  it('walks a chain of 100,000 answers in one pass, each entry finding the post at its end', () => {
    // Walking each entry up to its post took a number of steps quadratic in the chain's length:
    // a chain of 20,000 took 57 s, and this one would have held the process for about 24 minutes.
    const size = 100_000;
    const entries: DebateMapEntry[] = Array.from({ length: size }, (_, i) => ({ id: i + 1, kind: i === 0 ? 'post' : 'comment', blog: null, authorName: null, title: null, sortAt: '2026-01-01T00:00:00.000Z', tombstoned: false }));
    const edges = entries.slice(1).map((e) => ({ fromId: e.id, toId: e.id - 1, type: 'reply-to' as const }));
    // Newest first, so the first entry walked is the farthest from the post.
    const { postOf } = postsOf({ conversationId: 1, entries: entries.reverse(), edges });
    expect(postOf.get(1)).toBeNull();
    expect(entries.filter((e) => e.id !== 1 && postOf.get(e.id)?.id === 1)).toHaveLength(size - 1);
  });
});
