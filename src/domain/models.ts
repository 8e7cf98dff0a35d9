// The shapes every layer shares: an entry as ingest hands it over (EntryDraft), and the read
// models the store returns and routes, views and feeds show (blogs, sources, entries,
// conversations, feed entries, pings, search hits). Row types stay in the store; these never
// name a column. Times are ISO 8601 UTC strings.
import type { AutoFollowReason, AutoFollowStatus, BlogApproval, Channel, EdgeType, EntryKind, PingProtocol, PingReceivedVia, PingStatus, SourceKind } from './vocabulary.ts';

/** A registered blog, as pages and links name it. */
export interface BlogRef {
  id: number;
  title: string | null;
  homeUrl: string;
}

/** A registered blog with what discovery found. */
export interface Blog extends BlogRef {
  urlKey: string;
  description: string | null;
  pingbackEndpoint: string | null;
  webmentionEndpoint: string | null;
  rsdUrl: string | null;
  trackbackPingUrl: string | null;
  /** Plain-language notes from discovery, shown on the blog's page. */
  discoveryNotes: string[];
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** The WordPress REST API root the blog advertises (rel="https://api.w.org/"), if any. */
  apiRootUrl: string | null;
  /** When the REST API last refused Palaver (401/403/404), and its answer in plain words. */
  apiOffAt: string | null;
  apiOffReason: string | null;
  /** 'pending' blogs (registered by a stranger under moderation) are polled but not shown. */
  approval: BlogApproval;
  moderatedAt: string | null;
}

/** Something Palaver polls, with its poll state. */
export interface Source {
  id: number;
  blogId: number;
  /** The post a per-post comment feed or ping listing belongs to. */
  entryId: number | null;
  kind: SourceKind;
  url: string;
  /** Host and port, for per-host politeness in the due query. */
  host: string;
  format: string | null;
  title: string | null;
  etag: string | null;
  lastModified: string | null;
  nextCheckAt: string;
  lastCheckedAt: string | null;
  lastSuccessAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  lastErrorAt: string | null;
  consecutiveFailures: number;
  /** The feed's own hint (ttl, sy:updatePeriod, Cache-Control max-age), in seconds. */
  intervalHintSeconds: number | null;
  /** A permanent redirect seen on the last poll; the URL moves only when it repeats. */
  redirectUrl: string | null;
  redirectCount: number;
  disabledAt: string | null;
  disabledReason: string | null;
  /** While a WebSub hub pushes this feed, polling is a rare fallback until then. */
  pushedUntil: string | null;
  /** Post comments: the post's id in the blog's REST API (0: the API does not know it). */
  apiPostId: number | null;
  /** Post comments: why comments were still missing after the last poll (null: none were). */
  gapNote: string | null;
  /** Post comments: polls in a row that ended with comments missing. */
  gapPolls: number;
  /** SHA-256 of the body last read in full. */
  bodyHash: string | null;
  /** Old items the last poll left unread beyond the per-poll cap. */
  itemsSkipped: number;
}

/** An entry as the pull side hands it over: sanitized, with its identity and content hash decided. */
export interface EntryDraft {
  kind: EntryKind;
  /** Stable identity within the blog: guid/atom id, else permalink, else a content hash. */
  identity: string;
  guid: string | null;
  url: string | null;
  urlKey: string | null;
  title: string | null;
  authorName: string | null;
  authorUrl: string | null;
  contentHtml: string | null;
  excerpt: string | null;
  lang: string | null;
  publishedAt: string | null;
  updatedAt: string | null;
  commentCount: number | null;
  commentFeedUrl: string | null;
  commentsPageUrl: string | null;
  trackbackPingUrl: string | null;
  contentHash: string;
}

/** A stored entry. */
export interface Entry extends EntryDraft {
  id: number;
  blogId: number | null;
  /** published_at, or when Palaver first saw the entry: the timeline's order. */
  sortAt: string;
  firstSeenAt: string;
  changedAt: string;
  tombstonedAt: string | null;
  conversationId: number | null;
  /** Another record of the entry this points at (a pingback shown as a comment, a listed ping). */
  sameAsId: number | null;
  /** Linkback records: the page that was pinged. */
  targetUrl: string | null;
}

/** A stored entry with the blog it belongs to. */
export interface EntryWithBlog extends Entry {
  blog: BlogRef | null;
}

/** A conversation: a connected group of entries, with its counts and rank. */
export interface Conversation {
  id: number;
  rootEntryId: number | null;
  title: string | null;
  entryCount: number;
  postCount: number;
  commentCount: number;
  linkbackCount: number;
  blogCount: number;
  authorCount: number;
  missingCount: number;
  firstActivityAt: string | null;
  lastActivityAt: string | null;
  rank: number;
  /** When threading last changed the conversation (an entry arrived, changed or went). */
  updatedAt: string;
}

/** An entry of a conversation page: one node, however many records it has. */
export interface ConversationEntry extends EntryWithBlog {
  /** The channels it arrived by, its other records' included. */
  via: Channel[];
  /** The entry of this conversation it answers, or null. */
  inReplyToId: number | null;
  inReplyToType: EdgeType | null;
}

/** An entry a feed item answers or belongs to, as much as an item's title and threading need. */
export type FeedEntryRef = Pick<Entry, 'id' | 'kind' | 'title' | 'url' | 'authorName'>;

/** An entry as a served feed shows it: one item, with its channels and what it answers. */
export interface FeedEntry
  extends Pick<
    Entry,
    'id' | 'kind' | 'url' | 'title' | 'authorName' | 'authorUrl' | 'contentHtml' | 'excerpt' | 'lang' | 'publishedAt' | 'updatedAt' | 'sortAt' | 'tombstonedAt' | 'targetUrl'
  > {
  conversationId: number;
  blog: (BlogRef & { feedUrl: string | null }) | null;
  /** The channels it arrived by, those of its ping records included. */
  via: Channel[];
  /** The entry it answers (an explicit reply, then its post, then a ping's target, then a link). */
  parent: FeedEntryRef | null;
  /** The post a comment is on (its comment-of target), which may differ from a threaded reply's parent. */
  post: FeedEntryRef | null;
  /** Posts: how many entries answer it (comments at any depth, pings, linking posts). */
  replyCount: number;
  /** The newest change that shows in the item: its own, its records', a channel, its conversation's. */
  lastChangedAt: string;
}

/** The entry another one is about (the post of a comment, what a ping pinged), as much as naming it needs. */
export interface AnsweredEntry extends Pick<Entry, 'id' | 'kind' | 'title' | 'authorName'> {
  blog: BlogRef | null;
}

/** A post of a blog with fewer comments in Palaver than it reports. */
export interface CommentGap {
  postId: number;
  title: string | null;
  url: string | null;
  conversationId: number | null;
  reported: number;
  known: number;
  missing: number;
  /** Why the last poll of the post's comments could not fill the gap (plain words), if it said. */
  note: string | null;
  sourceId: number | null;
}

/** A ping received at an endpoint or found in a listing, and where its verification stands. */
export interface Ping {
  id: number;
  protocol: PingProtocol;
  receivedVia: PingReceivedVia;
  sourceUrl: string;
  sourceKey: string;
  sourceHost: string;
  targetUrl: string;
  targetKey: string;
  targetEntryId: number | null;
  title: string | null;
  excerpt: string | null;
  blogName: string | null;
  status: PingStatus;
  statusReason: string | null;
  entryId: number | null;
  /** Verification attempts made before the one under way. */
  attempts: number;
  createdAt: string;
  updatedAt: string;
  verifiedAt: string | null;
}

/** An entry that matches a search, with its conversation. */
export interface SearchHit {
  entryId: number;
  kind: EntryKind;
  title: string | null;
  authorName: string | null;
  sortAt: string;
  lang: string | null;
  blog: BlogRef | null;
  conversationId: number;
  conversationTitle: string | null;
  /** Plain text around the match; the matched words sit between snippetMarks.start and .end. */
  snippet: string;
}

/** Marks a search snippet puts around matched words (control characters never found in text). */
export const snippetMarks = { start: '\u0002', end: '\u0003' } as const;

/** One node of a conversation as its map draws it: whose it is, when, and what it was. */
export interface DebateMapEntry {
  id: number;
  kind: EntryKind;
  /** The registered blog it belongs to; null for a ping from a site Palaver does not follow. */
  blog: BlogRef | null;
  authorName: string | null;
  title: string | null;
  sortAt: string;
  tombstoned: boolean;
}

/** An answer between two nodes of a conversation: a reply, a comment, a ping or a link. */
export interface DebateMapEdge {
  fromId: number;
  toId: number;
  type: Exclude<EdgeType, 'same-as'>;
}

/**
 * A whole conversation as its map and the map's summary show it: every node once in time order,
 * and every edge between two of them once (records of pings stand for their node).
 */
export interface DebateMapData {
  conversationId: number;
  entries: DebateMapEntry[];
  edges: DebateMapEdge[];
}

/** A conversation's activity in brief, for the small map on the home page. */
export interface ConversationActivity {
  /** Entries per UTC day (YYYY-MM-DD), days without entries left out, in day order. */
  days: { day: string; count: number }[];
  /** The blogs taking part, in the order they joined. */
  blogs: BlogRef[];
}

/**
 * A site Palaver does not follow that joined debates anyway: it sent verified pings to their
 * entries, or posts of followed blogs link to its pages. A site is a host as URL keys name it
 * (without `www.`, a non-default port kept).
 */
export interface UnfollowedSite {
  site: string;
  /** Verified pings from its pages. */
  pingCount: number;
  /** Links from posts of followed blogs to its pages. */
  linkCount: number;
  /** Followed blogs whose posts link to it. */
  linkingBlogCount: number;
  /** Conversations it joined (one on a conversation's own page). */
  debateCount: number;
  /** Its newest page that pinged or was linked, when, and that page's title as a ping's verification read it. */
  newestUrl: string;
  newestAt: string;
  newestTitle: string | null;
  /** The blog's name a TrackBack sent (blog_name), if one did. */
  name: string | null;
}

/** A site Palaver followed by itself (registry.autoFollow), and why. */
export interface AutoFollow {
  id: number;
  site: string;
  /** The page discovery started from. */
  url: string;
  blog: BlogRef | null;
  reason: AutoFollowReason;
  linkingBlogCount: number;
  pingCount: number;
  status: AutoFollowStatus;
  /** Why discovery found no blog (status failed). */
  error: string | null;
  createdAt: string;
  undoneAt: string | null;
}
