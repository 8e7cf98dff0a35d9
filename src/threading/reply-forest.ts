// The reply forest of a conversation: who answers whom as a tree, whatever the graph holds
// (cycles, self-links, diamonds, chains thousands deep). Pure and iterative: no recursion, time
// and memory linear in the entries. It decides the shape only; views draw it.

export interface ReplyNode {
  id: number;
  /** The entry it answers, or null. */
  inReplyToId: number | null;
}

export interface ReplyForest {
  /** Entries without a parent on the page (or whose cycle was broken there), in input order. */
  roots: number[];
  /** Each entry's answers, in input order. */
  children: Map<number, number[]>;
  /**
   * Entries whose reply link was dropped because it closed a cycle: the earliest entry of each
   * cycle (first in input order), which stands at the top of its cycle.
   */
  cycleBreaks: number[];
}

/** One entry in a pre-order walk of the forest, with its depth (0 for roots). */
export interface ForestStep {
  id: number;
  depth: number;
}

const unvisited = 0;
const onPath = 1;
const done = 2;

/**
 * Builds the reply forest of entries given in time order. A reply link that would close a cycle
 * is dropped at the cycle's earliest entry, so every entry appears exactly once, deterministically.
 */
export function buildReplyForest(nodes: readonly ReplyNode[]): ReplyForest {
  const index = new Map<number, number>();
  nodes.forEach((n, i) => {
    if (!index.has(n.id)) index.set(n.id, i);
  });
  // Parent positions: a link to itself or to an entry not given counts as none.
  const parent = new Int32Array(nodes.length).fill(-1);
  nodes.forEach((n, i) => {
    if (index.get(n.id) !== i) return;
    const p = n.inReplyToId === null ? undefined : index.get(n.inReplyToId);
    if (p !== undefined && p !== i) parent[i] = p;
  });

  // Walk up from each entry; meeting the current path again is a cycle, broken at its earliest
  // entry. Every entry is walked over once, so the whole is linear.
  const state = new Uint8Array(nodes.length);
  const cycleBreaks: number[] = [];
  const path: number[] = [];
  for (let start = 0; start < nodes.length; start++) {
    if (state[start] !== unvisited || index.get(nodes[start]!.id) !== start) continue;
    let cur = start;
    while (cur !== -1 && state[cur] === unvisited) {
      state[cur] = onPath;
      path.push(cur);
      cur = parent[cur]!;
    }
    if (cur !== -1 && state[cur] === onPath) {
      let earliest = cur;
      for (let k = path.length - 1; path[k] !== cur; k--) earliest = Math.min(earliest, path[k]!);
      parent[earliest] = -1;
      cycleBreaks.push(nodes[earliest]!.id);
    }
    for (const p of path) state[p] = done;
    path.length = 0;
  }

  const roots: number[] = [];
  const children = new Map<number, number[]>();
  nodes.forEach((n, i) => {
    if (index.get(n.id) !== i) return;
    const p = parent[i]!;
    if (p === -1) {
      roots.push(n.id);
      return;
    }
    const pid = nodes[p]!.id;
    const list = children.get(pid);
    if (list) list.push(n.id);
    else children.set(pid, [n.id]);
  });
  cycleBreaks.sort((a, b) => index.get(a)! - index.get(b)!);
  return { roots, children, cycleBreaks };
}

/** Lists the forest in pre-order (each reply right after what it answers), iteratively. */
export function walkReplyForest(forest: ReplyForest): ForestStep[] {
  const out: ForestStep[] = [];
  const stack: ForestStep[] = [];
  for (let r = forest.roots.length - 1; r >= 0; r--) stack.push({ id: forest.roots[r]!, depth: 0 });
  while (stack.length) {
    const step = stack.pop()!;
    out.push(step);
    const kids = forest.children.get(step.id);
    if (!kids) continue;
    for (let k = kids.length - 1; k >= 0; k--) stack.push({ id: kids[k]!, depth: step.depth + 1 });
  }
  return out;
}
