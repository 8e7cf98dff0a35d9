// Shapes shared by the pull side (fetch, decode, parse, discover). Nothing here touches the
// database or the web layer; the poller and the registration route translate these into rows.

/** One outbound HTTP request made through the guarded fetcher. */
export interface FetchRequest {
  url: string;
  method?: 'GET' | 'POST' | 'HEAD';
  /** Validators from the last successful fetch, sent as If-None-Match / If-Modified-Since. */
  etag?: string | null;
  lastModified?: string | null;
  accept?: string;
  /** Overrides the configured byte cap (after decompression) for this request. */
  maxBytes?: number;
  body?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** Lets a caller stop waiting (e.g. a pingback answered within a deadline). */
  signal?: AbortSignal;
}

export interface Redirect {
  from: string;
  to: string;
  status: number;
}

/**
 * The answer to a fetch. Any HTTP status comes back here (the caller decides what 410 or 429
 * means for it); transport failures, guard refusals and limits throw a FetchError instead.
 */
export interface FetchResponse {
  requestedUrl: string;
  /** The URL that finally answered, after redirects. */
  url: string;
  status: number;
  /** Lower-case header names; repeated headers joined with ", " (set-cookie dropped). */
  headers: Record<string, string>;
  /** The decompressed body, never larger than the byte cap. */
  body: Buffer;
  redirects: Redirect[];
  notModified: boolean;
}

export type Fetch = (request: FetchRequest) => Promise<FetchResponse>;

export type FetchErrorCode =
  | 'invalid-url'
  | 'unsupported-scheme'
  | 'credentials-in-url'
  | 'blocked-address'
  | 'dns'
  | 'connect'
  | 'timeout'
  | 'too-large'
  | 'too-many-redirects'
  | 'redirect-invalid'
  | 'bad-encoding'
  | 'network'
  | 'aborted'
  /** This machine's shortage (open files, memory), not the site's doing. */
  | 'local';

/** A fetch that did not produce an HTTP answer; `message` is plain words for a status page. */
export class FetchError extends Error {
  readonly code: FetchErrorCode;
  readonly url: string;
  constructor(code: FetchErrorCode, url: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FetchError';
    this.code = code;
    this.url = url;
  }
}

/** The format a fetched feed turned out to be (RSS 1.0 is RDF). */
export type ParsedFeedFormat = 'rss' | 'atom' | 'rdf' | 'json';

/** A comment feed an item names (wfw:commentRss, an Atom replies link). */
export interface CommentFeedLink {
  url: string;
  /** MIME type when the source said one. */
  type: string | null;
}

export interface InReplyTo {
  /** Atom thr:in-reply-to@ref (an id) */
  ref: string | null;
  /** Atom thr:in-reply-to@href (a permalink) */
  href: string | null;
  /**
   * Where the parent can be fetched as a feed: thr:in-reply-to@source (Blogger: the post's Atom
   * entry), or for a Blogger threaded reply the parent comment's Atom self link (its rel="related").
   * Absent when the feed gives none.
   */
  source?: string;
}

/** One item of any feed format, normalized. HTML is raw (not yet sanitized); URLs absolute. */
export interface FeedItem {
  guid: string | null;
  url: string | null;
  title: string | null;
  authorName: string | null;
  authorUrl: string | null;
  contentHtml: string | null;
  summaryHtml: string | null;
  /** ISO 8601 UTC, or null when the feed gave no usable date. */
  publishedAt: string | null;
  updatedAt: string | null;
  /** RSS <comments>: the HTML page with the comments. */
  commentsPageUrl: string | null;
  /** wfw:commentRss and Atom link rel="replies", in document order. */
  commentFeeds: CommentFeedLink[];
  /** slash:comments, thr:total or thr:count of the replies link; null when not reported. */
  commentCount: number | null;
  inReplyTo: InReplyTo[];
  trackbackPingUrl: string | null;
  /**
   * Atom link rel="self" of the entry, when it has one. Blogger names a threaded reply's parent
   * comment by this URL (see relatedUrls), so threading can match the two. Absent otherwise.
   */
  selfUrl?: string;
  /**
   * Atom link rel="related" hrefs, in document order; absent when there are none. In a Blogger
   * comment feed the one related link of a reply is its parent comment's selfUrl; parseFeed also
   * turns it into an inReplyTo entry (ref = the parent's Atom id), so threading needs nothing more.
   */
  relatedUrls?: string[];
  /** Base against which relative URLs inside contentHtml/summaryHtml resolve. */
  baseUrl: string;
  lang: string | null;
}

export interface ParsedFeed {
  format: ParsedFeedFormat;
  title: string | null;
  description: string | null;
  /** The site the feed belongs to (RSS channel link, Atom link rel=alternate, JSON home_page_url). */
  homeUrl: string | null;
  /** What the feed says its own URL is; not trusted (WordPress drops non-default ports). */
  selfUrl: string | null;
  hubUrls: string[];
  /** RSS ttl in seconds, or sy:updatePeriod/sy:updateFrequency as seconds. */
  ttlSeconds: number | null;
  lang: string | null;
  items: FeedItem[];
  /** Lenient recoveries taken while parsing (e.g. "escaped 3 bare ampersands"). */
  warnings: string[];
}

export type FeedParseErrorCode = 'empty' | 'not-a-feed' | 'malformed' | 'too-large';

export class FeedParseError extends Error {
  readonly code: FeedParseErrorCode;
  constructor(code: FeedParseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FeedParseError';
    this.code = code;
  }
}

/** Text decoded from bytes, with where its charset came from. */
export interface DecodedText {
  text: string;
  charset: string;
  charsetSource: 'bom' | 'http' | 'prolog' | 'meta' | 'utf8-valid' | 'fallback';
}

/** A feed a page names. */
export interface FeedCandidate {
  url: string;
  format: ParsedFeedFormat | null;
  title: string | null;
}

/** What a page says about its blog's feeds and endpoints, for discovery. */
export interface PageFindings {
  title: string | null;
  description: string | null;
  feeds: FeedCandidate[];
  commentFeeds: FeedCandidate[];
  pingback: string | null;
  webmention: string | null;
  rsdUrl: string | null;
  trackbackPingUrl: string | null;
  apiRootUrl: string | null;
}
