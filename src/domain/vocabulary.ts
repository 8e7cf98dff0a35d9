// The words of Palaver, each declared once: what an entry, a source and an edge can be, the
// channels and ping protocols, the feeds Palaver serves and the event of changed entries.
// Every layer imports these; none keeps a copy. No code here, only names and their values.

/** What one node of a conversation is. A post that also arrived as a ping stays a post. */
export const entryKinds = ['post', 'comment', 'trackback', 'pingback', 'webmention'] as const;
export type EntryKind = (typeof entryKinds)[number];

/** The kinds of entry that stand for a ping (a page that linked to another). */
export const linkbackKinds = ['pingback', 'trackback', 'webmention'] as const satisfies readonly EntryKind[];
export type LinkbackKind = (typeof linkbackKinds)[number];

/** The pings WordPress (and listings of pings) show among a post's comments. */
export type CommentPingKind = Extract<LinkbackKind, 'pingback' | 'trackback'>;

/** Tells whether an entry of this kind is the record of a ping. */
export function isLinkbackKind(kind: EntryKind): kind is LinkbackKind {
  return (linkbackKinds as readonly EntryKind[]).includes(kind);
}

/** What Palaver polls: a blog's post feed, its site comment feed, a post's comment feed, a post's listing of pings. */
export const sourceKinds = ['feed', 'site-comments', 'post-comments', 'trackback-listing', 'pingback-listing'] as const;
export type SourceKind = (typeof sourceKinds)[number];

/** The sources that list a post's pings rather than carry entries. */
export type ListingSourceKind = Extract<SourceKind, 'trackback-listing' | 'pingback-listing'>;

/** How an entry arrived; a node shows every channel any of its records came by. */
export const channels = ['feed', 'comment-feed', 'pingback', 'trackback', 'webmention', 'listing'] as const;
export type Channel = (typeof channels)[number];

/** The channels by which a ping arrives: its protocols, and a blog's listing of pings. */
export const linkbackChannels = ['pingback', 'trackback', 'webmention', 'listing'] as const satisfies readonly Channel[];

/**
 * How one entry relates to another: comment-of (its post), reply-to (a parent comment or an
 * explicit thr:in-reply-to), links-to (a link in its body), linkback (a ping from its page),
 * same-as (two records of one thing).
 */
export const edgeTypes = ['comment-of', 'reply-to', 'links-to', 'linkback', 'same-as'] as const;
export type EdgeType = (typeof edgeTypes)[number];

/** The three ways a page tells another that it links to it. */
export const pingProtocols = ['pingback', 'trackback', 'webmention'] as const;
export type PingProtocol = (typeof pingProtocols)[number];

/** Where a ping is in its life: waiting to be checked, shown, refused, waiting for a moderator, or taken back. */
export const pingStatuses = ['queued', 'accepted', 'rejected', 'held', 'gone'] as const;
export type PingStatus = (typeof pingStatuses)[number];

/** Whether a ping was sent to Palaver's endpoints or found in a blog's listing of pings. */
export type PingReceivedVia = 'endpoint' | 'listing';

/** What a moderator decided about a host that sends pings. */
export type HostVerdict = 'blocked' | 'trusted';

/** What happens to pings from a host Palaver has not accepted before. */
export const moderationPolicies = ['open', 'moderate', 'closed'] as const;
export type ModerationPolicy = (typeof moderationPolicies)[number];

/** Whether a registered blog is shown: approved, pending (registered by a stranger under moderation: polled, not shown) or rejected. */
export type BlogApproval = 'approved' | 'pending' | 'rejected';

/** Why Palaver followed a site by itself: followed blogs' posts link to it, or it sent a verified ping. */
export type AutoFollowReason = 'links' | 'ping';

/**
 * Where an automatic follow stands: a process is trying it (claimed, until its lease ends), the
 * blog is followed, discovery found no blog there, or the operator undid it.
 */
export type AutoFollowStatus = 'trying' | 'followed' | 'failed' | 'undone';

/** A WebSub request: to start or to end a subscription. */
export type WebsubMode = 'subscribe' | 'unsubscribe';

/** The formats Palaver serves every feed in, in the order pages announce them. */
export const feedFormats = ['atom', 'rss', 'json'] as const;
export type FeedFormat = (typeof feedFormats)[number];

/** What a served feed (and a WebSub topic) covers: everything, one conversation, one blog or one group of blogs. */
export type FeedScope = { kind: 'all' } | { kind: 'conversation'; id: number } | { kind: 'blog'; id: number } | { kind: 'group'; slug: string };

/** Which entries a committed poll, push or ping added or changed, and where they belong. */
export interface EntriesChanged {
  entryIds: number[];
  conversationIds: number[];
  blogIds: number[];
  /** Groups whose members changed: their feeds change without a new entry. */
  groupSlugs?: string[];
}

/** The logger the background workers write to (pino's shape, object first). */
export interface ServiceLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Where a link roundup (an entry linking to more threadable pages than a reply makes) stands:
 * not a roundup, a roundup that has not joined a conversation yet, or one that has (and from
 * then on bridges none). Stored in entries.is_roundup.
 */
export const RoundupState = { None: 0, Waiting: 1, Joined: 2 } as const;
export type RoundupState = (typeof RoundupState)[keyof typeof RoundupState];
