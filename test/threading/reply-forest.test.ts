import { describe, expect, it } from 'vitest';
import { buildReplyForest, walkReplyForest, type ReplyNode } from '../../src/threading/reply-forest.ts';

const ids = (nodes: ReplyNode[]) => walkReplyForest(buildReplyForest(nodes)).map((s) => s.id);
const once = (nodes: ReplyNode[]) => {
  const walked = ids(nodes);
  expect([...walked].sort((a, b) => a - b)).toEqual([...new Set(nodes.map((n) => n.id))].sort((a, b) => a - b));
  return walked;
};

describe('buildReplyForest', () => {
  it('puts each reply under what it answers, siblings in input order', () => {
    const nodes = [
      { id: 1, inReplyToId: null },
      { id: 2, inReplyToId: 1 },
      { id: 3, inReplyToId: 2 },
      { id: 4, inReplyToId: 1 },
      { id: 5, inReplyToId: null },
    ];
    const forest = buildReplyForest(nodes);
    expect(forest.roots).toEqual([1, 5]);
    expect(forest.children.get(1)).toEqual([2, 4]);
    expect(forest.cycleBreaks).toEqual([]);
    expect(walkReplyForest(forest)).toEqual([
      { id: 1, depth: 0 },
      { id: 2, depth: 1 },
      { id: 3, depth: 2 },
      { id: 4, depth: 1 },
      { id: 5, depth: 0 },
    ]);
  });

  it('breaks a cycle at its earliest entry, whatever entry the walk meets first', () => {
    // 1 answers 2, 2 answers 3, 3 answers 1: a circle with no root.
    const nodes = [
      { id: 10, inReplyToId: 20 },
      { id: 20, inReplyToId: 30 },
      { id: 30, inReplyToId: 10 },
    ];
    const forest = buildReplyForest(nodes);
    expect(forest.cycleBreaks).toEqual([10]);
    expect(forest.roots).toEqual([10]);
    expect(walkReplyForest(forest).map((s) => s.id)).toEqual([10, 30, 20]);
    // An earlier entry leading into the circle's middle makes the walk meet 30 first: the
    // circle still breaks at its own earliest entry, 10.
    const entered = buildReplyForest([{ id: 5, inReplyToId: 30 }, ...nodes]);
    expect(entered.cycleBreaks).toEqual([10]);
    expect(walkReplyForest(entered).map((s) => s.id)).toEqual([10, 30, 5, 20]);
  });

  it('breaks a cycle reached through a tail at the cycle, not at the tail', () => {
    // 1 → 2 → 3 → 4 → 2: the tail entry 1 stays a reply.
    const nodes = [
      { id: 1, inReplyToId: 2 },
      { id: 2, inReplyToId: 3 },
      { id: 3, inReplyToId: 4 },
      { id: 4, inReplyToId: 2 },
    ];
    const forest = buildReplyForest(nodes);
    expect(forest.cycleBreaks).toEqual([2]);
    expect(forest.roots).toEqual([2]);
    expect(once(nodes)).toEqual([2, 1, 4, 3]);
  });

  it('treats a self-link and a link to an entry not given as no parent', () => {
    const forest = buildReplyForest([
      { id: 1, inReplyToId: 1 },
      { id: 2, inReplyToId: 99 },
    ]);
    expect(forest.roots).toEqual([1, 2]);
    expect(forest.cycleBreaks).toEqual([]);
  });

  it('keeps a diamond (two replies to one entry, answered by one more) a tree with each entry once', () => {
    const nodes = [
      { id: 1, inReplyToId: null },
      { id: 2, inReplyToId: 1 },
      { id: 3, inReplyToId: 1 },
      { id: 4, inReplyToId: 2 },
      { id: 4, inReplyToId: 3 },
    ];
    expect(once(nodes)).toEqual([1, 2, 4, 3]);
  });

  it('walks a 10,000-deep chain and a 10,000-entry circle without recursion, each entry once', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => ({ id: i + 1, inReplyToId: i === 0 ? null : i }));
    const walked = walkReplyForest(buildReplyForest(chain));
    expect(walked.length).toBe(10_000);
    expect(walked.at(-1)).toEqual({ id: 10_000, depth: 9_999 });
    const circle = Array.from({ length: 10_000 }, (_, i) => ({ id: i + 1, inReplyToId: i === 9_999 ? 1 : i + 2 }));
    const forest = buildReplyForest(circle);
    expect(forest.cycleBreaks).toEqual([1]);
    expect(once(circle).length).toBe(10_000);
  });

  it('breaks several circles, each at its own earliest entry, listed in input order', () => {
    const nodes = [
      { id: 1, inReplyToId: 3 },
      { id: 2, inReplyToId: 4 },
      { id: 3, inReplyToId: 1 },
      { id: 4, inReplyToId: 2 },
      { id: 5, inReplyToId: 5 },
    ];
    const forest = buildReplyForest(nodes);
    expect(forest.cycleBreaks).toEqual([1, 2]);
    expect(once(nodes)).toEqual([1, 3, 2, 4, 5]);
  });
});
