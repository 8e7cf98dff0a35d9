// Row types of the database as kysely sees them. Only the store layer imports these; the rest
// of Palaver works with the domain's shapes (src/domain/). Times are ISO 8601 UTC strings.
import type { Generated } from 'kysely';
import type { Source } from '../domain/models.ts';
import type { AutoFollowReason, AutoFollowStatus, BlogApproval, Channel, EdgeType, EntryKind, HostVerdict, PingProtocol, PingReceivedVia, PingStatus, RoundupState, WebsubMode } from '../domain/vocabulary.ts';

export interface BlogsTable {
  id: Generated<number>;
  home_url: string;
  /** Normalised identity of home_url (scheme, www., port, trailing slash folded). */
  url_key: string;
  title: string | null;
  description: string | null;
  pingback_endpoint: string | null;
  webmention_endpoint: string | null;
  rsd_url: string | null;
  trackback_ping_url: string | null;
  /** JSON array of plain-language notes from discovery, shown on the blog's page. */
  discovery_notes: string | null;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
  /** WordPress REST API root (migration 0010); null when the blog advertises none. */
  api_root_url: string | null;
  /** When the REST API last answered 401/403/404, and what it said. */
  api_off_at: string | null;
  api_off_reason: string | null;
  /** 'approved', 'pending' (registered by a stranger: polled, not shown) or 'rejected' (migration 0009). */
  approval: Generated<BlogApproval>;
  moderated_at: string | null;
  /** The site of home_url, as domain/url-key.ts siteOfKey names it (migration 0013). */
  site: string | null;
}

/** The columns of a domain shape: its camelCase fields as snake_case names, same types. */
type ColumnsOf<T> = { [K in keyof T & string as SnakeCase<K>]: T[K] };
type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Uppercase<Head> ? (Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`) : Head}${SnakeCase<Tail>}`
  : S;

/**
 * A source's row is the source as src/domain/models.ts declares it (each field a column of the
 * same name in snake_case), with its counters defaulting in SQL and its bookkeeping times.
 */
export type SourcesTable = ColumnsOf<Omit<Source, 'id' | 'consecutiveFailures' | 'redirectCount' | 'gapPolls' | 'itemsSkipped'>> & {
  id: Generated<number>;
  consecutive_failures: Generated<number>;
  redirect_count: Generated<number>;
  created_at: string;
  updated_at: string;
  gap_polls: Generated<number>;
  items_skipped: Generated<number>;
};

export interface EntriesTable {
  id: Generated<number>;
  blog_id: number | null;
  kind: EntryKind;
  /** Stable identity within the blog: guid/atom id, else permalink, else a content hash. */
  identity: string;
  guid: string | null;
  url: string | null;
  url_key: string | null;
  title: string | null;
  author_name: string | null;
  author_url: string | null;
  content_html: string | null;
  /** Plain text of content_html, for full-text search (migration 0004, entries_fts). */
  content_text: Generated<string | null>;
  excerpt: string | null;
  lang: string | null;
  published_at: string | null;
  updated_at: string | null;
  /** published_at, or when Palaver first saw the entry: the timeline's order. */
  sort_at: string;
  comment_count: number | null;
  comment_feed_url: string | null;
  comments_page_url: string | null;
  trackback_ping_url: string | null;
  content_hash: string;
  first_seen_at: string;
  changed_at: string;
  tombstoned_at: string | null;
  conversation_id: number | null;
  /** Another record of the entry this points at (a pingback shown as a comment, a listed ping). */
  same_as_id: number | null;
  /** Linkback records: the url key of the page that pinged. */
  source_key: string | null;
  /** Linkback records: the page that was pinged. */
  target_url: string | null;
  is_roundup: Generated<RoundupState>;
  /** Feed entries: the hash of the raw item they were last read from (migration 0011). */
  item_hash: Generated<string | null>;
}

/** A source's item record (migration 0026): JSON, written and read by src/store/source-item-records.ts. */
export interface SourceItemRecordsTable {
  source_id: number;
  record: string;
}

export interface EntryChannelsTable {
  entry_id: number;
  via: Channel;
  first_seen_at: string;
}

export interface EdgesTable {
  id: Generated<number>;
  from_entry_id: number;
  type: EdgeType;
  /** What the edge points at until it resolves, as domain/edges.ts writes it ("url:<url key>", "ref:<guid>", "entry:<id>"). */
  target: string;
  to_url: string | null;
  to_entry_id: number | null;
  created_at: string;
  /** The site a URL target lies on, as domain/url-key.ts siteOfKey names it (migration 0013); null for other targets. */
  to_site: string | null;
}

export interface ConversationsTable {
  id: Generated<number>;
  root_entry_id: number | null;
  title: string | null;
  entry_count: Generated<number>;
  post_count: Generated<number>;
  comment_count: Generated<number>;
  linkback_count: Generated<number>;
  blog_count: Generated<number>;
  author_count: Generated<number>;
  missing_count: Generated<number>;
  first_activity_at: string | null;
  last_activity_at: string | null;
  rank: Generated<number>;
  merged_into_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface PingsTable {
  id: Generated<number>;
  protocol: PingProtocol;
  received_via: PingReceivedVia;
  source_url: string;
  source_key: string;
  source_host: string;
  target_url: string;
  target_key: string;
  target_entry_id: number | null;
  title: string | null;
  excerpt: string | null;
  blog_name: string | null;
  client_address: string | null;
  status: PingStatus;
  status_reason: string | null;
  entry_id: number | null;
  attempts: Generated<number>;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
  verified_at: string | null;
}

export interface PingHostsTable {
  host: string;
  verdict: HostVerdict;
  reason: string | null;
  created_at: string;
}

/** Palaver as a hub: a subscriber to one of Palaver's feeds. */
export interface WebsubSubscribersTable {
  id: Generated<number>;
  topic: string;
  callback: string;
  secret: string | null;
  lease_seconds: number | null;
  expires_at: string | null;
  verified_at: string | null;
  pending_mode: WebsubMode | null;
  pending_secret: string | null;
  pending_lease_seconds: number | null;
  verify_due_at: string | null;
  delivery_due_at: string | null;
  delivery_attempts: Generated<number>;
  delivered_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

/** Palaver as a subscriber: its subscription to a blog feed at the blog's hub. */
export interface WebsubSubscriptionsTable {
  id: Generated<number>;
  source_id: number | null;
  hub_url: string;
  topic_url: string;
  secret: string;
  wanted: Generated<number>;
  pending_mode: WebsubMode | null;
  lease_seconds: number | null;
  expires_at: string | null;
  verified_at: string | null;
  due_at: string | null;
  attempts: Generated<number>;
  last_error: string | null;
  last_push_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A group of blogs (migration 0014); the event columns are all null for a group that is no event. */
export interface GroupsTable {
  id: Generated<number>;
  slug: string;
  title: string;
  description: string | null;
  lang: string | null;
  starts_on: string | null;
  ends_on: string | null;
  time_zone: string | null;
  starts_at: string | null;
  ends_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface GroupMembersTable {
  group_id: number;
  blog_id: number;
  added_at: string;
}

/** A request in flight to a host, by some process (migration 0012; PostgreSQL only fills it). */
export interface HostSlotsTable {
  host: string;
  slot: number;
  holder: string;
  leased_until: string;
}

/** An event a shared rate limit counted (migration 0012; PostgreSQL only fills it). */
export interface RateLimitHitsTable {
  scope: string;
  key: string;
  at: string;
}

/** A site Palaver followed by itself (registry.autoFollow), or tried to (migration 0013). */
export interface AutoFollowsTable {
  id: Generated<number>;
  site: string;
  url: string;
  blog_id: number | null;
  reason: AutoFollowReason;
  linking_blog_count: Generated<number>;
  ping_count: Generated<number>;
  status: AutoFollowStatus;
  error: string | null;
  /** A failed attempt is tried again from then on. */
  retry_at: string | null;
  /** The last attempt; the daily limit counts attempts. */
  attempted_at: string;
  created_at: string;
  updated_at: string;
  undone_at: string | null;
}

export interface Database {
  blogs: BlogsTable;
  sources: SourcesTable;
  source_item_records: SourceItemRecordsTable;
  entries: EntriesTable;
  entry_channels: EntryChannelsTable;
  edges: EdgesTable;
  conversations: ConversationsTable;
  pings: PingsTable;
  ping_hosts: PingHostsTable;
  websub_subscribers: WebsubSubscribersTable;
  websub_subscriptions: WebsubSubscriptionsTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  host_slots: HostSlotsTable;
  rate_limit_hits: RateLimitHitsTable;
  auto_follows: AutoFollowsTable;
}
