// Edges as threading hands them to the store: what an edge points at until it resolves to an
// entry (a page by its URL key, an item by its guid or Atom id, or an entry Palaver already
// knows), and the target's stored form ("url:<key>", "ref:<guid>", "entry:<id>"), written and
// read only through these functions.
import type { EdgeType } from './vocabulary.ts';

export type EdgeTarget = { kind: 'url'; key: string } | { kind: 'ref'; guid: string } | { kind: 'entry'; id: number };

/** Returns the target's identity, which is also how the store keeps it. */
export function edgeTargetKey(target: EdgeTarget): string {
  switch (target.kind) {
    case 'url':
      return `url:${target.key}`;
    case 'ref':
      return `ref:${target.guid}`;
    case 'entry':
      return `entry:${target.id}`;
  }
}

/** Reads a stored target back; null for a form Palaver never writes. */
export function parseEdgeTarget(stored: string): EdgeTarget | null {
  const colon = stored.indexOf(':');
  const value = stored.slice(colon + 1);
  switch (stored.slice(0, colon)) {
    case 'url':
      return { kind: 'url', key: value };
    case 'ref':
      return { kind: 'ref', guid: value };
    case 'entry':
      return /^\d{1,15}$/.test(value) ? { kind: 'entry', id: Number(value) } : null;
    default:
      return null;
  }
}

/** An edge of an arriving entry, before the store resolves its target to an entry. */
export interface RelationDraft {
  type: EdgeType;
  target: EdgeTarget;
  /** The URL the edge names, for pages that show where an unresolved link points. */
  toUrl: string | null;
}
