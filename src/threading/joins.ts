// Which edges make two entries part of one conversation. Every kind does today (a comment
// with its post, a reply with its parent, a link with what it links, a ping with its target,
// two records of one thing); a body link of a roundup is limited further by threading/roundup.ts.
import type { EdgeType } from '../domain/vocabulary.ts';

const joiningEdges: ReadonlySet<EdgeType> = new Set(['comment-of', 'reply-to', 'links-to', 'linkback', 'same-as']);

/** Tells whether an edge of this type joins its two entries' conversations. */
export function joinsConversation(type: EdgeType): boolean {
  return joiningEdges.has(type);
}
