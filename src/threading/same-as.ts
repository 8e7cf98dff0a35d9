// One thing is one node: the records of a ping (a pingback shown as a comment, a listed or a
// received ping) point at the pinging post when Palaver has it, else at the first record of
// that ping; when the post arrives later it becomes the node of every earlier record. Pure:
// the store finds the candidates and applies the choice.

/** What an arriving entry settles: which node a ping record joins, or which records a post gathers. */
export type SameAsPlan =
  | { kind: 'record'; sourceKey: string }
  | { kind: 'post'; urlKey: string }
  | { kind: 'none' };

/** Decides what an entry settles: a ping record looks for its node, any other entry with a URL gathers the records of pings from that URL. */
export function sameAsPlan(entry: { urlKey: string | null; sourceKey: string | null }): SameAsPlan {
  if (entry.sourceKey !== null) return { kind: 'record', sourceKey: entry.sourceKey };
  if (entry.urlKey !== null) return { kind: 'post', urlKey: entry.urlKey };
  return { kind: 'none' };
}

/** A node a ping record may point at: the pinging page itself (sourceKey null) or another record of its ping. */
export interface SameAsCandidate {
  id: number;
  sourceKey: string | null;
}

/** Picks the node a ping record points at: the pinging post when Palaver has it, else the oldest record of the ping. */
export function pickSameAsNode(candidates: readonly SameAsCandidate[]): SameAsCandidate | null {
  const byAge = [...candidates].sort((a, b) => a.id - b.id);
  return byAge.find((c) => c.sourceKey === null) ?? byAge[0] ?? null;
}
