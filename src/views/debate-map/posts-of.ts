// The post each entry of a debate map is about, up its replies, comments and pings whatever
// circles they make, and what each entry answers: found once for the data of a version (readers
// in other languages and time zones get their own layouts of the same data).
import type { DebateMapData, DebateMapEdge, DebateMapEntry } from '../../domain/models.ts';

/** What postsOf finds, by entry id: an entry, null for none, undefined for an id not on the map. */
export interface EntryLookup {
  get(id: number): DebateMapEntry | null | undefined;
}

/** Finds the post each entry is about: up its replies, comments and pings, whatever circles they make. */
export function postsOf(data: DebateMapData): { postOf: EntryLookup; about: EntryLookup } {
  // By position in data.entries, in typed arrays: a debate of a hundred thousand entries is
  // walked in a few tens of milliseconds rather than a few hundred with maps of objects.
  const n = data.entries.length;
  const indexOf = new Map<number, number>();
  data.entries.forEach((e, i) => indexOf.set(e.id, i));
  // What an entry answers: another entry's position, `outside` for an entry the map does not show, or `none`.
  const none = -1;
  const outside = -2;
  const parent = new Int32Array(n).fill(none);
  const parentRank = new Int8Array(n);
  const preference: DebateMapEdge['type'][] = ['comment-of', 'reply-to', 'linkback', 'links-to'];
  for (const edge of data.edges) {
    const from = indexOf.get(edge.fromId);
    if (from === undefined) continue;
    const rank = preference.indexOf(edge.type);
    if (parent[from] !== none && rank >= parentRank[from]!) continue;
    parent[from] = indexOf.get(edge.toId) ?? outside;
    parentRank[from] = rank;
  }
  // The post of each entry: `unknown` until walked, `noPost`, or the post's position.
  const unknown = -2;
  const noPost = -1;
  const post = new Int32Array(n).fill(unknown);
  // Each entry is walked once: a walk stops at an entry whose post is known and hands its answer
  // down the way it came (walking every entry up to its post was quadratic in a long chain).
  const path: number[] = [];
  const onPathOf = new Int32Array(n).fill(-1);
  const walkOf = new Int32Array(n).fill(-1);
  const isPost = (i: number) => data.entries[i]!.kind === 'post';
  for (let start = 0; start < n; start++) {
    if (post[start] !== unknown) continue;
    path.length = 0;
    path.push(start);
    walkOf[start] = start;
    onPathOf[start] = 0;
    let cur = parent[start]!;
    let found = noPost;
    let loopsTo = -1;
    while (cur >= 0) {
      if (isPost(cur) && cur !== start) {
        found = cur;
        break;
      }
      const known = post[cur]!;
      if (known !== unknown) {
        // The post above it is the first entry, come round to itself.
        if (known === start) loopsTo = 0;
        else found = known;
        break;
      }
      if (walkOf[cur] === start) {
        loopsTo = onPathOf[cur]!;
        break;
      }
      walkOf[cur] = start;
      onPathOf[cur] = path.length;
      path.push(cur);
      cur = parent[cur]!;
    }
    // A circle through the first entry, a post: the others on it reach that post before they
    // come round; the post itself comes round to itself first and is about none.
    const postOnCircle = loopsTo === 0 && isPost(start) ? start : noPost;
    path.forEach((at, i) => (post[at] = loopsTo === -1 ? found : i === 0 ? noPost : postOnCircle));
  }
  const entryAt = (i: number) => (i >= 0 ? data.entries[i]! : null);
  const postOfAt = (i: number | undefined) => (i === undefined ? undefined : entryAt(post[i]!));
  return {
    postOf: { get: (id) => postOfAt(indexOf.get(id)) },
    about: {
      get: (id) => {
        const i = indexOf.get(id);
        if (i === undefined) return undefined;
        const direct = entryAt(parent[i]!);
        return data.entries[i]!.kind === 'comment' ? (postOfAt(i) ?? direct) : direct;
      },
    },
  };
}

// What each entry is about depends on the debate alone: readers in other languages and time zones
// get their own layouts of the same data (conversation-pages.ts keeps it), found once for them all.
const aboutOfData = new WeakMap<DebateMapData, ReturnType<typeof postsOf>>();
export function postsOfData(data: DebateMapData): ReturnType<typeof postsOf> {
  let found = aboutOfData.get(data);
  if (!found) aboutOfData.set(data, (found = postsOf(data)));
  return found;
}
