// What checking a ping's source yields, as the verifier hands it on: the page that linked
// (VerifiedSource), and the verdict on the ping with a typed rejection code, so that endpoints
// choose their answer (a Pingback fault, a status) from the code and never from prose. The
// prose is what moderators and the status URL show, written from the code here.

/** A ping's source page that was fetched and found to link to the target, with what to show of it. */
export interface VerifiedSource {
  /** The page's own URL: its h-entry u-url on the same host, else the URL that answered. */
  url: string;
  title: string | null;
  authorName: string | null;
  authorUrl: string | null;
  /** ISO 8601 UTC. */
  publishedAt: string | null;
  /** Sanitized; "[…] text around the link […]" as WordPress writes it, or the h-entry summary. */
  excerptHtml: string;
  /** Sanitized h-entry e-content; null when the page has no h-entry content. */
  contentHtml: string | null;
}

/** Why a ping was refused. */
export type PingRejection = 'blocked-host' | 'strangers-refused' | 'no-link' | 'source-unreadable';

const rejectionReasons: Record<Exclude<PingRejection, 'source-unreadable'>, string> = {
  'blocked-host': 'the source’s host is blocked',
  'strangers-refused': 'pings are accepted only from registered blogs and trusted hosts',
  'no-link': 'the source does not link to the target',
};
const unreadablePrefix = 'the source could not be checked: ';

/** Writes the reason a ping was refused, as stored and shown (`detail`: what went wrong reading the source). */
export function rejectionReason(rejection: PingRejection, detail = 'unknown error'): string {
  return rejection === 'source-unreadable' ? `${unreadablePrefix}${detail}` : rejectionReasons[rejection];
}

/** Reads back which rejection a stored reason records (a ping decided before it was asked). */
export function rejectionOf(reason: string | null): PingRejection {
  for (const [code, text] of Object.entries(rejectionReasons)) if (reason === text) return code as PingRejection;
  return 'source-unreadable';
}

/** What verifying one ping came to. A rejection carries its code and the reason as stored. */
export type PingVerdict =
  | { outcome: 'accepted' | 'held' | 'gone' | 'retry' }
  | { outcome: 'rejected'; rejection: PingRejection; reason: string };

export type PingOutcome = PingVerdict['outcome'];
