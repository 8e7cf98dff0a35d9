// Over 400 lines because it is one whole WordPress 6 site as the demo serves it (pages, feeds, RSD, XML-RPC, TrackBack).
// Renders the debate's data as WordPress 6 (de_DE, pretty permalinks, a Twenty Twenty-One-like
// theme) serves it: pages, RSS 2.0 and Atom feeds of posts and comments, RSD, XML-RPC and
// TrackBack answers. Pure functions from data to text; HTTP (status, validators, bytes) is blogs.ts's.
import { createHash } from 'node:crypto';
import * as cheerio from 'cheerio';
import type { DebateBlog, DebateComment, DebatePost } from './debate.ts';
import { localParts } from './local-time.ts';

export const wordpressVersion = '6.4.3';

/** posts_per_rss and the comment feeds' page size: WordPress shows the newest 10 and no more. */
export const feedItemLimit = 10;

export interface Site {
  /** http://host:port, no trailing slash: WordPress's home_url(). */
  origin: string;
  blog: DebateBlog;
  /** blog_charset: what the headers and prologs declare. */
  charset: 'UTF-8' | 'ISO-8859-1';
  /** Turns `{{key/slug}}` and `{{key}}` placeholders into URLs on the demo blogs. */
  resolveLinks(text: string): string;
  /**
   * Discussion settings that tests switch while the blog runs: page_comments with
   * comments_per_page (null: one page, WordPress's default), and what the REST API answers.
   */
  settings?: SiteSettings;
}

/** What /wp-json/ answers: served, or refused as security plugins and hosts refuse it. */
export type RestApiMode = 'on' | 401 | 403 | 404;

export interface SiteSettings {
  /** comments_per_page with page_comments on; null when comments are not split into pages. */
  commentsPerPage: number | null;
  restApi: RestApiMode;
}

export interface CommentOnPost {
  post: DebatePost;
  comment: DebateComment;
}

// ---------------------------------------------------------------------------------------------
// URLs, as link-template.php builds them

/** Finds a post of the blog by its slug (post_name). */
export function findPostBySlug(blog: DebateBlog, slug: string): DebatePost | undefined {
  return blog.posts.find((p) => p.slug === slug);
}

/** Returns the pretty permalink /yyyy/mm/slug/ (year and month in the blog's time zone). */
export function postPermalink(site: Site, post: DebatePost): string {
  const { year, month } = localParts(post.date);
  return `${site.origin}/${year}/${month}/${post.slug}/`;
}

/** Returns the guid WordPress stored at publication: <home>/?p=ID, not a permalink. */
export function postGuid(site: Site, post: DebatePost): string {
  return `${site.origin}/?p=${post.id}`;
}

/**
 * Returns get_comment_link(): the permalink with the #comment-N anchor, and with page_comments
 * on, the comment's page (…/comment-page-2/#comment-N; WordPress adds it even for page 1 when
 * the newest page is the default one).
 */
export function commentLink(site: Site, post: DebatePost, comment: DebateComment): string {
  const perPage = site.settings?.commentsPerPage ?? null;
  if (perPage === null) return `${postPermalink(site, post)}#comment-${comment.id}`;
  return `${postPermalink(site, post)}comment-page-${pageOfComment(post, comment, perPage)}/#comment-${comment.id}`;
}

function commentsOldestFirst(post: DebatePost): DebateComment[] {
  return [...post.comments].sort((a, b) => Date.parse(a.date) - Date.parse(b.date) || a.id - b.id);
}

function topLevelOf(post: DebatePost, comment: DebateComment): DebateComment {
  let current = comment;
  for (let i = 0; i < 100 && current.parentId; i++) {
    const parent = post.comments.find((c) => c.id === current.parentId);
    if (!parent) break;
    current = parent;
  }
  return current;
}

/** get_comment_pages_count(): threaded, so pages of top-level comments. */
export function commentPageCount(post: DebatePost, perPage: number | null): number {
  if (perPage === null) return 1;
  const tops = post.comments.filter((c) => !c.parentId || !post.comments.some((p) => p.id === c.parentId)).length;
  return Math.max(1, Math.ceil(tops / perPage));
}

/** get_page_of_comment(): the page of the comment's top-level ancestor, oldest page first. */
function pageOfComment(post: DebatePost, comment: DebateComment, perPage: number): number {
  const top = topLevelOf(post, comment);
  const tops = commentsOldestFirst(post).filter((c) => !c.parentId || !post.comments.some((p) => p.id === c.parentId));
  return Math.floor(Math.max(0, tops.indexOf(top)) / perPage) + 1;
}

/** Returns comment_guid(): the post's guid with #comment-N, the comment's id in every feed. */
export function commentGuid(site: Site, post: DebatePost, comment: DebateComment): string {
  return `${postGuid(site, post)}#comment-${comment.id}`;
}

// A real-world WordPress quirk kept on purpose: on a non-default port, self_link() names the feed
// without the port, so a feed's self link points at a URL that does not answer.
function quirkySelfLink(site: Site, requestPath: string): string {
  const url = new URL(site.origin);
  return `${url.protocol}//${url.hostname}${requestPath}`;
}

/** Finds the post a URL points at, as url_to_postid() does: ?p=ID or /yyyy/mm/slug/, fragment ignored. */
export function findPostByUrl(site: Site, rawUrl: string): DebatePost | undefined {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return undefined;
  }
  // url_to_postid() compares host names only: neither the scheme nor the port matter.
  if (url.hostname !== new URL(site.origin).hostname) return undefined;
  const p = url.searchParams.get('p');
  if (p !== null && url.pathname === '/') return site.blog.posts.find((post) => String(post.id) === p);
  const m = /^\/(\d{4})\/(\d{1,2})\/([^/]+)\/?$/.exec(url.pathname);
  if (!m) return undefined;
  const post = findPostBySlug(site.blog, decodeURIComponent(m[3] ?? ''));
  if (!post) return undefined;
  const { year, month } = localParts(post.date);
  return Number(year) === Number(m[1]) && Number(month) === Number(m[2]) ? post : undefined;
}

// ---------------------------------------------------------------------------------------------
// Dates

/** 2008-11-14T22:30:00+01:00: the theme's <time datetime>, in the blog's time zone. */
function localIso(iso: string): string {
  const p = localParts(iso);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  const offset = Math.round((asUtc - Date.parse(iso)) / 60000);
  const sign = offset < 0 ? '-' : '+';
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const mm = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${sign}${hh}:${mm}`;
}

const germanMonths = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'];

/** de_DE date_format "j. F Y". */
function germanDate(iso: string): string {
  const p = localParts(iso);
  return `${Number(p.day)}. ${germanMonths[Number(p.month) - 1]} ${p.year}`;
}

/** de_DE time_format "G:i". */
function germanTime(iso: string): string {
  const p = localParts(iso);
  return `${Number(p.hour)}:${p.minute}`;
}

/** mysql2date('D, d M Y H:i:s +0000'): RFC 822 with a numeric zone, English names. */
function rssDate(iso: string): string {
  return new Date(iso).toUTCString().replace(/GMT$/, '+0000');
}

/** 'Y-m-d\TH:i:s\Z' as the Atom templates write it. */
function atomDate(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Formats the HTTP date WordPress sends as Last-Modified: 'D, d M Y H:i:s' . ' GMT'. */
export function httpDate(iso: string): string {
  return new Date(iso).toUTCString();
}

function latest(dates: string[]): string {
  return dates.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}

// ---------------------------------------------------------------------------------------------
// Text filters: the parts of wptexturize, convert_chars, esc_html and wpautop the demo needs

/** Escapes markup as esc_html() does, leaving existing entities alone like WordPress. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&(?!#?[a-zA-Z0-9]+;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#039;');
}

// wptexturize() with the de_DE quotes („…“), plus convert_chars()'s bare & → &#038;.
function texturizeText(text: string): string {
  return text
    .replace(/&(?!#?[a-zA-Z0-9]+;)/g, '&#038;')
    .replace(/\.\.\./g, '&#8230;')
    .replace(/ -- /g, ' &#8212; ')
    .replace(/ - /g, ' &#8211; ')
    .replace(/([\p{L}\p{N}])'([\p{L}\p{N}])/gu, '$1&#8217;$2')
    .replace(/"([^"]*)"/g, '&#8222;$1&#8220;');
}

/** Texturizes the text between tags and leaves the tags themselves untouched. */
function texturize(html: string): string {
  return html
    .split(/(<[^>]*>)/)
    .map((part, i) => (i % 2 === 1 ? part : texturizeText(part)))
    .join('');
}

/** A title or blog name as the templates print it: texturized, then escaped. */
function displayText(text: string): string {
  return escapeHtml(texturize(text));
}

/** Returns the blog name as a reader sees it (Sachar's → Sachar’s). */
export function displayBlogName(blog: DebateBlog): string {
  return decodeNumericEntities(texturizeText(blog.name));
}

function decodeNumericEntities(text: string): string {
  return text.replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));
}

// wpautop(): blank lines make paragraphs, single line breaks become <br />.
function autop(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  return paragraphs.map((p) => `<p>${p.replace(/\n/g, '<br />\n')}</p>\n`).join('');
}

function stripTags(html: string): string {
  return html.replace(/<[^>]*>/g, '');
}

// get_the_content_feed(): the_content filters, and ]]> defused so the CDATA section holds.
function postContentHtml(site: Site, post: DebatePost): string {
  return `${texturize(site.resolveLinks(post.content))}\n`;
}

function cdata(html: string): string {
  return `<![CDATA[${html.replace(/\]\]>/g, ']]&gt;')}]]>`;
}

// wp_trim_excerpt(): the content's text, 55 words, then excerpt_more " [&hellip;]" after ent2ncr.
function postExcerpt(site: Site, post: DebatePost): string {
  const words = stripTags(postContentHtml(site, post)).split(/[\n\r\t ]+/).filter(Boolean);
  return words.length > 55 ? `${words.slice(0, 55).join(' ')} [&#8230;]` : words.join(' ');
}

/** comment_text(): texturized and wrapped in paragraphs. */
export function commentHtml(site: Site, comment: DebateComment): string {
  return autop(texturize(site.resolveLinks(comment.content)));
}

/** comment_text_rss(): the stored text, escaped, without paragraphs. */
function commentText(site: Site, comment: DebateComment): string {
  return escapeHtml(site.resolveLinks(comment.content));
}

function commentAuthorUrl(site: Site, comment: DebateComment): string | null {
  return comment.authorUrl ? site.resolveLinks(comment.authorUrl) : null;
}

// ---------------------------------------------------------------------------------------------
// Queries

function postsNewestFirst(blog: DebateBlog): DebatePost[] {
  return [...blog.posts].sort((a, b) => Date.parse(b.date) - Date.parse(a.date));
}

/** Lists the comments of one post or of the whole blog, newest first, as the comment feeds query them. */
export function commentsNewestFirst(blog: DebateBlog, post?: DebatePost): CommentOnPost[] {
  const posts = post ? [post] : blog.posts;
  return posts
    .flatMap((p) => p.comments.map((comment) => ({ post: p, comment })))
    .sort((a, b) => Date.parse(b.comment.date) - Date.parse(a.comment.date) || b.comment.id - a.comment.id);
}

/** Returns get_lastpostmodified('GMT'): the newest post_modified_gmt of the blog. */
export function lastPostModified(blog: DebateBlog): string {
  return latest(blog.posts.map((p) => p.modified));
}

/** Returns get_lastcommentmodified('GMT'): the newest comment date anywhere on the blog, or null. */
export function lastCommentModified(blog: DebateBlog): string | null {
  const dates = blog.posts.flatMap((p) => p.comments.map((c) => c.date));
  return dates.length ? latest(dates) : null;
}

/**
 * Returns the Last-Modified and ETag WordPress sends for a feed (WP::send_headers). Post feeds
 * look at posts only, so a new comment leaves /feed/ "not modified" although its slash:comments
 * changed; comment feeds look at the newest comment of the whole blog, not of their post.
 */
export function feedValidators(blog: DebateBlog, kind: 'posts' | 'comments'): { lastModified: string; etag: string } {
  const postModified = lastPostModified(blog);
  const commentModified = lastCommentModified(blog);
  const newest = kind === 'comments' && commentModified ? latest([postModified, commentModified]) : postModified;
  const lastModified = httpDate(newest);
  return { lastModified, etag: `"${createHash('md5').update(lastModified).digest('hex')}"` };
}

// ---------------------------------------------------------------------------------------------
// Feeds

const rssNamespaces = `	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
	>`;

const syndication = `	<sy:updatePeriod>
	hourly	</sy:updatePeriod>
	<sy:updateFrequency>
	1	</sy:updateFrequency>
	<generator>https://wordpress.org/?v=${wordpressVersion}</generator>`;

const atomGenerator = `	<generator uri="https://wordpress.org/" version="${wordpressVersion}">WordPress</generator>`;

function commentsLinkFeed(site: Site, post: DebatePost): string {
  return `${postPermalink(site, post)}${post.comments.length ? '#comments' : '#respond'}`;
}

function rssPostItem(site: Site, post: DebatePost): string {
  const permalink = postPermalink(site, post);
  const categories = post.categories.map((c) => `\t\t<category>${cdata(c)}</category>\n`).join('');
  return `	<item>
		<title>${displayText(post.title)}</title>
		<link>${permalink}</link>
					<comments>${commentsLinkFeed(site, post)}</comments>
		
		<dc:creator>${cdata(post.author)}</dc:creator>
		<pubDate>${rssDate(post.date)}</pubDate>
		${categories.trimStart()}		<guid isPermaLink="false">${postGuid(site, post)}</guid>

					<description>${cdata(postExcerpt(site, post))}</description>
										<content:encoded>${cdata(postContentHtml(site, post))}</content:encoded>
					
					<wfw:commentRss>${permalink}feed/</wfw:commentRss>
			<slash:comments>${post.comments.length}</slash:comments>
		
		
			</item>
`;
}

/** Renders /feed/ as feed-rss2.php does; requestPath feeds the port-less self link. */
export function renderPostsRss(site: Site, requestPath: string): string {
  const posts = postsNewestFirst(site.blog).slice(0, feedItemLimit);
  return `<?xml version="1.0" encoding="${site.charset}"?><rss version="2.0"
${rssNamespaces}

<channel>
	<title>${displayText(site.blog.name)}</title>
	<atom:link href="${escapeHtml(quirkySelfLink(site, requestPath))}" rel="self" type="application/rss+xml" />
	<link>${site.origin}</link>
	<description>${displayText(site.blog.description)}</description>
	<lastBuildDate>${rssDate(latest(posts.map((p) => p.modified)))}</lastBuildDate>
	<language>de-DE</language>
${syndication}
${posts.map((p) => rssPostItem(site, p)).join('')}</channel>
</rss>
`;
}

function atomPostEntry(site: Site, post: DebatePost): string {
  const permalink = postPermalink(site, post);
  const n = post.comments.length;
  const authorUri = site.blog.authorUrl ? `\n\t\t\t\t\t\t\t<uri>${escapeHtml(site.blog.authorUrl)}</uri>\n\t\t\t\t\t\t` : '';
  const categories = post.categories.map((c) => `\t\t<category scheme="${site.origin}" term="${escapeHtml(c)}" />\n`).join('');
  return `	<entry>
		<author>
			<name>${escapeHtml(post.author)}</name>${authorUri}
		</author>

		<title type="html">${cdata(displayText(post.title))}</title>
		<link rel="alternate" type="text/html" href="${permalink}" />

		<id>${postGuid(site, post)}</id>
		<updated>${atomDate(post.modified)}</updated>
		<published>${atomDate(post.date)}</published>
${categories}
		<summary type="html">${cdata(postExcerpt(site, post))}</summary>

					<content type="html" xml:base="${permalink}">${cdata(postContentHtml(site, post))}</content>
		
					<link rel="replies" type="text/html" href="${permalink}#comments" thr:count="${n}" />
			<link rel="replies" type="application/atom+xml" href="${permalink}feed/atom/" thr:count="${n}" />
			<thr:total>${n}</thr:total>
			</entry>
`;
}

/** Renders /feed/atom/ as feed-atom.php does (xml:base on wp-atom.php, port-less self link). */
export function renderPostsAtom(site: Site, requestPath: string): string {
  const posts = postsNewestFirst(site.blog).slice(0, feedItemLimit);
  return `<?xml version="1.0" encoding="${site.charset}"?><feed
  xmlns="http://www.w3.org/2005/Atom"
  xmlns:thr="http://purl.org/syndication/thread/1.0"
  xml:lang="de-DE"
  xml:base="${site.origin}/wp-atom.php"
   >
	<title type="text">${displayText(site.blog.name)}</title>
	<subtitle type="text">${displayText(site.blog.description)}</subtitle>

	<updated>${atomDate(latest(posts.map((p) => p.modified)))}</updated>

	<link rel="alternate" type="text/html" href="${site.origin}" />
	<id>${site.origin}/feed/atom/</id>
	<link rel="self" type="application/atom+xml" href="${escapeHtml(quirkySelfLink(site, requestPath))}" />

${atomGenerator}
${posts.map((p) => atomPostEntry(site, p)).join('')}</feed>
`;
}

// get_feed_build_date() for a comment feed: the newest of the queried posts and listed comments.
function commentFeedBuildDate(site: Site, listed: CommentOnPost[], post?: DebatePost): string {
  const posts = post ? [post] : postsNewestFirst(site.blog).slice(0, feedItemLimit);
  return latest([...posts.map((p) => p.modified), ...listed.map((l) => l.comment.date)]);
}

// de_DE: "Comment on %1$s by %2$s" and "By: %s".
function commentItemTitle(site: Site, { post, comment }: CommentOnPost, singular: boolean): string {
  return singular ? `Von: ${escapeHtml(comment.author)}` : `Kommentar zu ${displayText(post.title)} von ${escapeHtml(comment.author)}`;
}

function rssCommentItem(site: Site, item: CommentOnPost, singular: boolean): string {
  const { post, comment } = item;
  return `	<item>
		<title>
		${commentItemTitle(site, item, singular)}		</title>
		<link>${commentLink(site, post, comment)}</link>

		<dc:creator>${cdata(comment.author)}</dc:creator>
		<pubDate>${rssDate(comment.date)}</pubDate>
		<guid isPermaLink="false">${commentGuid(site, post, comment)}</guid>

					<description>${cdata(commentText(site, comment))}</description>
		<content:encoded>${cdata(commentHtml(site, comment))}</content:encoded>
		
					</item>
`;
}

/**
 * Renders a comment feed as feed-rss2-comments.php does: the blog's (/comments/feed/) or one
 * post's (<permalink>feed/), newest 10 comments, pingbacks included, no parent information.
 */
export function renderCommentsRss(site: Site, requestPath: string, post?: DebatePost): string {
  const listed = commentsNewestFirst(site.blog, post).slice(0, feedItemLimit);
  // de_DE: "Comments on: %s" and "Comments for %s".
  const title = post ? `Kommentare zu: ${displayText(post.title)}` : `Kommentare für ${displayText(site.blog.name)}`;
  return `<?xml version="1.0" encoding="${site.charset}"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	
	>
<channel>
	<title>
	${title}	</title>
	<atom:link href="${escapeHtml(quirkySelfLink(site, requestPath))}" rel="self" type="application/rss+xml" />
	<link>${post ? postPermalink(site, post) : site.origin}</link>
	<description>${displayText(site.blog.description)}</description>
	<lastBuildDate>${rssDate(commentFeedBuildDate(site, listed, post))}</lastBuildDate>
${syndication}
${listed.map((l) => rssCommentItem(site, l, post !== undefined)).join('')}</channel>
</rss>
`;
}

function atomCommentEntry(site: Site, item: CommentOnPost, singular: boolean): string {
  const { post, comment } = item;
  const link = commentLink(site, post, comment);
  const authorUrl = commentAuthorUrl(site, comment);
  const parent = comment.parentId ? post.comments.find((c) => c.id === comment.parentId) : undefined;
  // RFC 4685 threading: the parent comment for a reply, the post for a top-level comment.
  const inReplyTo = parent
    ? `		<thr:in-reply-to ref="${commentGuid(site, post, parent)}" href="${commentLink(site, post, parent)}" type="text/html" />`
    : `	<thr:in-reply-to ref="${postGuid(site, post)}" href="${postPermalink(site, post)}" type="text/html" />`;
  return `	<entry>
		<title>
		${commentItemTitle(site, item, singular)}			</title>
			<link rel="alternate" href="${link}" type="text/html" />

		<author>
			<name>${escapeHtml(comment.author)}</name>
			${authorUrl ? `<uri>${escapeHtml(authorUrl)}</uri>` : ''}
		</author>

		<id>${commentGuid(site, post, comment)}</id>
		<updated>${atomDate(comment.date)}</updated>
		<published>${atomDate(comment.date)}</published>
		<content type="html" xml:base="${link}">${cdata(commentHtml(site, comment))}</content>
${inReplyTo}
		</entry>
`;
}

/**
 * Renders an Atom comment feed as feed-atom-comments.php does, with thr:in-reply-to on every
 * entry. Its self link comes from the comment feed link functions and so keeps the port.
 */
export function renderCommentsAtom(site: Site, post?: DebatePost): string {
  const listed = commentsNewestFirst(site.blog, post).slice(0, feedItemLimit);
  // de_DE: "Comments on %s" and "Comments for %s".
  const title = post ? `Kommentare zu ${displayText(post.title)}` : `Kommentare für ${displayText(site.blog.name)}`;
  const self = post ? `${postPermalink(site, post)}feed/atom/` : `${site.origin}/comments/feed/atom/`;
  const alternate = post ? commentsLinkFeed(site, post) : site.origin;
  return `<?xml version="1.0" encoding="${site.charset}" ?><feed
	xmlns="http://www.w3.org/2005/Atom"
	xml:lang="de-DE"
	xmlns:thr="http://purl.org/syndication/thread/1.0"
	>
	<title type="text">
	${title}	</title>
	<subtitle type="text">${displayText(site.blog.description)}</subtitle>

	<updated>${atomDate(commentFeedBuildDate(site, listed, post))}</updated>

	<link rel="alternate" type="text/html" href="${alternate}" />
	<link rel="self" type="application/atom+xml" href="${self}" />
	<id>${self}</id>
${atomGenerator}
${listed.map((l) => atomCommentEntry(site, l, post !== undefined)).join('')}</feed>
`;
}

// ---------------------------------------------------------------------------------------------
// Pages

function feedLinks(site: Site, post?: DebatePost): string {
  const name = displayText(site.blog.name);
  // de_DE: "%1$s %2$s Feed", "%1$s %2$s Kommentar-Feed" and, on a post, "%1$s %2$s %3$s Kommentar-Feed".
  let links = `<link rel="alternate" type="application/rss+xml" title="${name} &raquo; Feed" href="${site.origin}/feed/" />
<link rel="alternate" type="application/rss+xml" title="${name} &raquo; Kommentar-Feed" href="${site.origin}/comments/feed/" />
`;
  if (post) {
    links += `<link rel="alternate" type="application/rss+xml" title="${name} &raquo; ${displayText(post.title)} Kommentar-Feed" href="${postPermalink(site, post)}feed/" />
`;
  }
  return links;
}

function pageHead(site: Site, title: string, post?: DebatePost): string {
  const permalink = post ? postPermalink(site, post) : '';
  const perPost = post
    ? `<link rel="alternate" title="JSON" type="application/json" href="${site.origin}/wp-json/wp/v2/posts/${post.id}" />`
    : '';
  const singular = post
    ? `<link rel="canonical" href="${permalink}" />
<link rel='shortlink' href='${postGuid(site, post)}' />
<link rel="alternate" type="application/json+oembed" href="${site.origin}/wp-json/oembed/1.0/embed?url=${encodeURIComponent(permalink)}" />
<link rel="alternate" type="text/xml+oembed" href="${site.origin}/wp-json/oembed/1.0/embed?url=${encodeURIComponent(permalink)}&#038;format=xml" />
<link rel="pingback" href="${site.origin}/xmlrpc.php">`
    : '';
  return `<!doctype html>
<html lang="de-DE" >
<head>
	<meta charset="${site.charset}" />
	<meta name="viewport" content="width=device-width, initial-scale=1.0" />
	<title>${title}</title>
<meta name='robots' content='max-image-preview:large' />
${feedLinks(site, post)}<link rel='stylesheet' id='twenty-twenty-one-style-css' href='${site.origin}/wp-content/themes/twentytwentyone/style.css?ver=2.0' media='all' />
<link rel="https://api.w.org/" href="${site.origin}/wp-json/" />${perPost}<link rel="EditURI" type="application/rsd+xml" title="RSD" href="${site.origin}/xmlrpc.php?rsd" />
<meta name="generator" content="WordPress ${wordpressVersion}" />
${singular}
</head>
`;
}

function siteHeader(site: Site, isHome: boolean): string {
  const name = displayText(site.blog.name);
  const title = isHome
    ? `<h1 class="site-title">${name}</h1>`
    : `<p class="site-title"><a href="${site.origin}/">${name}</a></p>`;
  return `<header id="masthead" class="site-header has-title-and-tagline">
	<div class="site-branding">
		${title}
		<p class="site-description">${displayText(site.blog.description)}</p>
	</div><!-- .site-branding -->
</header><!-- #masthead -->
`;
}

function postClasses(post: DebatePost): string {
  const [category, ...tags] = post.categories.map((c) => c.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
  return `post-${post.id} post type-post status-publish format-standard hentry category-${category ?? 'allgemein'}${tags.map((t) => ` tag-${t}`).join('')} entry`;
}

function postFooter(site: Site, post: DebatePost): string {
  return `<footer class="entry-footer default-max-width"><div class="posted-by"><span class="posted-on">Veröffentlicht am <time class="entry-date published updated" datetime="${localIso(post.date)}">${germanDate(post.date)}</time></span><span class="byline">von <a href="${site.origin}/author/${encodeURIComponent(post.author.toLowerCase())}/" rel="author">${escapeHtml(post.author)}</a></span></div></footer><!-- .entry-footer -->`;
}

function commentsCountLink(site: Site, post: DebatePost): string {
  const n = post.comments.length;
  const label = n === 0 ? 'Schreibe einen Kommentar' : n === 1 ? '1 Kommentar' : `${n} Kommentare`;
  return `<span class="comments-link"><a href="${commentsLinkFeed(site, post)}">${label}<span class="screen-reader-text"> zu ${displayText(post.title)}</span></a></span>`;
}

/** Renders the home page: the ten newest posts in full, with discovery links but no pingback hints. */
export function renderHomePage(site: Site): string {
  const name = displayText(site.blog.name);
  const articles = postsNewestFirst(site.blog)
    .slice(0, feedItemLimit)
    .map(
      (post) => `<article id="post-${post.id}" class="${postClasses(post)}">
	<header class="entry-header">
		<h2 class="entry-title default-max-width"><a href="${postPermalink(site, post)}">${displayText(post.title)}</a></h2>
	</header><!-- .entry-header -->
	<div class="entry-content">
		${postContentHtml(site, post)}	</div><!-- .entry-content -->
	${postFooter(site, post)}
	<div class="entry-comments">${commentsCountLink(site, post)}</div>
</article><!-- #post-${post.id} -->
`,
    )
    .join('');
  return `${pageHead(site, `${name} &#8211; ${displayText(site.blog.description)}`)}
<body class="home blog wp-embed-responsive is-light-theme no-js">
${pageStart(site, true)}${articles}${pageEnd}`;
}

/** Opens the page around the main column, as Twenty Twenty-One does (header, content, primary). */
function pageStart(site: Site, isHome: boolean): string {
  return `<div id="page" class="site">
${siteHeader(site, isHome)}
	<div id="content" class="site-content">
		<div id="primary" class="content-area">
			<main id="main" class="site-main">
`;
}

// Closes the main column and the page, with the footer every page of the theme has.
const pageEnd = `			</main><!-- #main -->
		</div><!-- #primary -->
	</div><!-- #content -->
	<footer id="colophon" class="site-footer"><div class="powered-by">Stolz präsentiert von <a href="https://de.wordpress.org/">WordPress</a></div></footer>
</div><!-- #page -->
</body>
</html>
`;

interface CommentNode {
  comment: DebateComment;
  children: CommentNode[];
}

function commentTree(post: DebatePost): CommentNode[] {
  const nodes = new Map<number, CommentNode>();
  const ordered = commentsOldestFirst(post);
  for (const comment of ordered) nodes.set(comment.id, { comment, children: [] });
  const roots: CommentNode[] = [];
  for (const comment of ordered) {
    const node = nodes.get(comment.id)!;
    const parent = comment.parentId ? nodes.get(comment.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

// Walker_Comment::html5_comment() and ::ping() with short_ping, as Twenty Twenty-One lists them.
function renderCommentNode(site: Site, post: DebatePost, node: CommentNode, depth: number): string {
  const { comment } = node;
  const url = commentAuthorUrl(site, comment);
  const authorLink = url
    ? `<a href="${escapeHtml(url)}" class="url" rel="ugc external nofollow">${escapeHtml(comment.author)}</a>`
    : escapeHtml(comment.author);
  const children = node.children.length
    ? `<ol class="children">
${node.children.map((c) => renderCommentNode(site, post, c, depth + 1)).join('')}</ol><!-- .children -->
`
    : '';
  if (comment.type !== 'comment') {
    const label = comment.type === 'pingback' ? 'Pingback:' : 'Trackback:';
    return `		<li id="comment-${comment.id}" class="${comment.type} depth-${depth}">
			<div class="comment-body">
				${label} ${authorLink} 			</div>
${children}</li><!-- #comment-## -->
`;
  }
  return `		<li id="comment-${comment.id}" class="comment depth-${depth}${node.children.length ? ' parent' : ''}">
			<article id="div-comment-${comment.id}" class="comment-body">
				<footer class="comment-meta">
					<div class="comment-author vcard">
						<b class="fn">${authorLink}</b> <span class="says">sagt:</span>					</div><!-- .comment-author -->

					<div class="comment-metadata">
						<a href="${commentLink(site, post, comment)}"><time datetime="${localIso(comment.date)}">${germanDate(comment.date)} um ${germanTime(comment.date)} Uhr</time></a>					</div><!-- .comment-metadata -->
				</footer><!-- .comment-meta -->

				<div class="comment-content">
					${commentHtml(site, comment)}				</div><!-- .comment-content -->

				<div class="reply"><a rel="nofollow" class="comment-reply-link" href="#comment-${comment.id}" data-commentid="${comment.id}" data-postid="${post.id}" data-belowelement="div-comment-${comment.id}" data-respondelement="respond" data-replyto="Antworte auf ${escapeHtml(comment.author)}" aria-label="Antworte auf ${escapeHtml(comment.author)}">Antworten</a></div>			</article><!-- .comment-body -->
${children}</li><!-- #comment-## -->
`;
}

function trackbackRdf(site: Site, post: DebatePost): string {
  const permalink = postPermalink(site, post);
  const title = texturize(stripTags(post.title)).replace(/--/g, '&#x2d;&#x2d;');
  // trackback_rdf(), wrapped in an HTML comment as themes of the time did.
  return `<!--
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
			xmlns:dc="http://purl.org/dc/elements/1.1/"
			xmlns:trackback="http://madskills.com/public/xml/rss/module/trackback/">
		<rdf:Description rdf:about="${permalink}"
    dc:identifier="${permalink}"
    dc:title="${title.replace(/"/g, '&quot;')}"
    trackback:ping="${permalink}trackback/" />
</rdf:RDF>
-->`;
}

/** get_comments_pagenum_link(): with default_comments_page "newest" the last page is the permalink. */
function commentsPageLink(site: Site, post: DebatePost, n: number, max: number): string {
  return n === max ? `${postPermalink(site, post)}#comments` : `${postPermalink(site, post)}comment-page-${n}/#comments`;
}

// the_comments_pagination() as Twenty Twenty-One calls it (mid_size 0): paginate_links shows
// the first and last page and the current one, "…" between, and older/newer links; no rel.
function commentsPagination(site: Site, post: DebatePost, current: number, max: number): string {
  if (max <= 1) return '';
  const parts: string[] = [];
  if (current > 1) parts.push(`<a class="prev page-numbers" href="${commentsPageLink(site, post, current - 1, max)}">Ältere Kommentare</a>`);
  let dots = false;
  for (let n = 1; n <= max; n++) {
    if (n === current) {
      parts.push(`<span aria-current="page" class="page-numbers current"><span class="meta-nav screen-reader-text">Seite </span>${n}</span>`);
      dots = true;
    } else if (n === 1 || n === max) {
      parts.push(`<a class="page-numbers" href="${commentsPageLink(site, post, n, max)}"><span class="meta-nav screen-reader-text">Seite </span>${n}</a>`);
      dots = true;
    } else if (dots) {
      parts.push('<span class="page-numbers dots">&hellip;</span>');
      dots = false;
    }
  }
  if (current < max) parts.push(`<a class="next page-numbers" href="${commentsPageLink(site, post, current + 1, max)}">Neuere Kommentare</a>`);
  return `
	<nav class="navigation comments-pagination" aria-label="Kommentare">
		<h2 class="screen-reader-text">Kommentar-Navigation</h2>
		<div class="nav-links">${parts.join('\n')}</div>
	</nav>
`;
}

/**
 * Renders a single post page: pingback link, per-post comment feed, body, threaded comments,
 * TrackBack RDF. With page_comments on, `cpage` picks the comment page (default: the newest).
 */
export function renderPostPage(site: Site, post: DebatePost, cpage?: number): string {
  const title = displayText(post.title);
  const n = post.comments.length;
  const perPage = site.settings?.commentsPerPage ?? null;
  const max = commentPageCount(post, perPage);
  const current = cpage ?? max;
  let tree = commentTree(post);
  if (perPage !== null) tree = tree.slice((current - 1) * perPage, current * perPage);
  // Twenty Twenty-One, de_DE: "Ein Kommentar zu „%s“" / "%1$s Kommentare zu „%2$s“".
  const heading = n === 1 ? `Ein Kommentar zu &#8222;${title}&#8220;` : `${n} Kommentare zu &#8222;${title}&#8220;`;
  const pagination = commentsPagination(site, post, current, max);
  const comments = n
    ? `	<h2 class="comments-title">${heading}</h2><!-- .comments-title -->
${pagination}
	<ol class="comment-list">
${tree.map((node) => renderCommentNode(site, post, node, 1)).join('')}	</ol><!-- .comment-list -->
${pagination}`
    : '';
  return `${pageHead(site, `${title} &#8211; ${displayText(site.blog.name)}`, post)}
<body class="post-template-default single single-post postid-${post.id} single-format-standard wp-embed-responsive is-light-theme no-js singular">
${pageStart(site, false)}
<article id="post-${post.id}" class="${postClasses(post)}">
	<header class="entry-header alignwide">
		<h1 class="entry-title">${title}</h1>
	</header><!-- .entry-header -->

	<div class="entry-content">
		${postContentHtml(site, post)}	</div><!-- .entry-content -->
	${trackbackRdf(site, post)}

	${postFooter(site, post)}
</article><!-- #post-${post.id} -->

<div id="comments" class="comments-area default-max-width show-avatars">
${comments}
	<div id="respond" class="comment-respond">
		<h2 id="reply-title" class="comment-reply-title">Schreibe einen Kommentar <small><a rel="nofollow" id="cancel-comment-reply-link" href="${postPermalink(site, post)}#respond" style="display:none;">Antworten abbrechen</a></small></h2><form action="${site.origin}/wp-comments-post.php" method="post" id="commentform" class="comment-form" novalidate><p class="comment-notes"><span id="email-notes">Deine E-Mail-Adresse wird nicht veröffentlicht.</span> <span class="required-field-message">Erforderliche Felder sind mit <span class="required">*</span> markiert</span></p><p class="comment-form-comment"><label for="comment">Kommentar <span class="required">*</span></label> <textarea id="comment" name="comment" cols="45" rows="5" maxlength="65525" required></textarea></p><p class="comment-form-author"><label for="author">Name <span class="required">*</span></label> <input id="author" name="author" type="text" value="" size="30" maxlength="245" autocomplete="name" required /></p>
<p class="comment-form-url"><label for="url">Website</label> <input id="url" name="url" type="url" value="" size="30" maxlength="200" autocomplete="url" /></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Kommentar abschicken" /> <input type='hidden' name='comment_post_ID' value='${post.id}' id='comment_post_ID' />
<input type='hidden' name='comment_parent' id='comment_parent' value='0' />
</p></form>	</div><!-- #respond -->
</div><!-- #comments -->

${pageEnd}`;
}

// ---------------------------------------------------------------------------------------------
// RSD, XML-RPC, TrackBack

/** Renders xmlrpc.php?rsd: the four APIs WordPress lists, all at <home>/xmlrpc.php. */
export function renderRsd(site: Site): string {
  const api = `${site.origin}/xmlrpc.php`;
  return `<?xml version="1.0" encoding="${site.charset}"?><rsd version="1.0" xmlns="http://archipelago.phrasewise.com/rsd">
	<service>
		<engineName>WordPress</engineName>
		<engineLink>https://wordpress.org/</engineLink>
		<homePageLink>${site.origin}</homePageLink>
		<apis>
			<api name="WordPress" blogID="1" preferred="true" apiLink="${api}" />
			<api name="Movable Type" blogID="1" preferred="false" apiLink="${api}" />
			<api name="MetaWeblog" blogID="1" preferred="false" apiLink="${api}" />
			<api name="Blogger" blogID="1" preferred="false" apiLink="${api}" />
				</apis>
	</service>
</rsd>
	`;
}

/** A value as WordPress's XML-RPC library (IXR) reads and writes it: no dates or base64 in what the demo serves. */
export type IxrValue = string | number | boolean | IxrValue[] | { [name: string]: IxrValue };

export interface XmlRpcCall {
  methodName: string;
  params: IxrValue[];
}

type ElementSelection = ReturnType<ReturnType<cheerio.CheerioAPI>['children']>;

function readXmlRpcValue($: cheerio.CheerioAPI, value: ElementSelection): IxrValue {
  const typed = value.children().first();
  // XML-RPC spec: a <value> without a type element is a string.
  if (typed.length === 0) return value.text();
  const text = typed.text();
  switch (typed.get(0)?.tagName) {
    case 'int':
    case 'i4':
    case 'double':
      return Number(text.trim());
    case 'boolean':
      return text.trim() === '1';
    case 'array':
      return typed
        .children('data')
        .children('value')
        .toArray()
        .map((v) => readXmlRpcValue($, $(v)));
    case 'struct': {
      const out: Record<string, IxrValue> = {};
      for (const member of typed.children('member').toArray()) {
        const v = $(member).children('value').first();
        if (v.length) out[$(member).children('name').text()] = readXmlRpcValue($, v);
      }
      return out;
    }
    default:
      return text;
  }
}

/** Parses an XML-RPC methodCall; null when it is not one. */
export function parseXmlRpcCall(xml: string): XmlRpcCall | null {
  const $ = cheerio.load(xml, { xml: true });
  const methodName = $('methodCall > methodName').first().text().trim();
  if (!methodName) return null;
  const params = $('methodCall > params > param > value')
    .toArray()
    .map((v) => readXmlRpcValue($, $(v)));
  return { methodName, params };
}

// IXR_Value::getXml(), whitespace included.
function xmlRpcValueXml(value: IxrValue): string {
  if (typeof value === 'string') return `<string>${escapeXmlRpcString(value)}</string>`;
  if (typeof value === 'boolean') return `<boolean>${value ? 1 : 0}</boolean>`;
  if (typeof value === 'number') return Number.isInteger(value) ? `<int>${value}</int>` : `<double>${value}</double>`;
  if (Array.isArray(value)) return `<array><data>\n${value.map((v) => `  <value>${xmlRpcValueXml(v)}</value>\n`).join('')}</data></array>`;
  return `<struct>\n${Object.entries(value)
    .map(([k, v]) => `  <member><name>${k}</name><value>${xmlRpcValueXml(v)}</value></member>\n`)
    .join('')}</struct>`;
}

// htmlspecialchars() as IXR calls it: double-encodes, unlike esc_html().
function escapeXmlRpcString(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Renders an XML-RPC success response as IXR_Server::serve() does. */
export function renderXmlRpcResponse(value: IxrValue, charset: Site['charset']): string {
  return `<?xml version="1.0" encoding="${charset}"?>
<methodResponse>
  <params>
    <param>
      <value>
      ${xmlRpcValueXml(value)}
      </value>
    </param>
  </params>
</methodResponse>

`;
}

/** Renders an XML-RPC fault as IXR_Error::getXml() does. */
export function renderXmlRpcFault(code: number, message: string, charset: Site['charset']): string {
  return `<?xml version="1.0" encoding="${charset}"?>
<methodResponse>
  <fault>
    <value>
      <struct>
        <member>
          <name>faultCode</name>
          <value><int>${code}</int></value>
        </member>
        <member>
          <name>faultString</name>
          <value><string>${escapeXmlRpcString(message)}</string></value>
        </member>
      </struct>
    </value>
  </fault>
</methodResponse>

`;
}

/**
 * Answers an XML-RPC request body: pingback.extensions.getPingbacks, mt.getTrackbackPings and
 * demo.sayHello. pingback.ping is not offered: nothing in Palaver sends pings to these blogs.
 */
export function answerXmlRpc(site: Site, body: string): string {
  const call = parseXmlRpcCall(body);
  if (!call) return renderXmlRpcFault(-32700, 'parse error. not well formed', site.charset);
  const [first] = call.params;
  switch (call.methodName) {
    case 'pingback.extensions.getPingbacks': {
      const post = typeof first === 'string' ? findPostByUrl(site, first) : undefined;
      // The default xmlrpc_pingback_error filter masks every pingback fault except 48 to code 0
      // with an empty message: the 0x21 (33) "not a pingback-enabled resource" never gets out.
      if (!post) return renderXmlRpcFault(0, '', site.charset);
      const sources = post.comments.filter((c) => c.type === 'pingback').map((c) => commentAuthorUrl(site, c) ?? '');
      return renderXmlRpcResponse(sources, site.charset);
    }
    case 'mt.getTrackbackPings': {
      const post = site.blog.posts.find((p) => p.id === Number(first));
      if (!post) return renderXmlRpcFault(404, 'Sorry, no such post.', site.charset);
      const pings = post.comments
        .filter((c) => c.type === 'trackback')
        .map((c) => {
          const end = c.content.indexOf('</strong>');
          return {
            pingTitle: end >= 8 ? c.content.slice(8, end) : '',
            pingURL: commentAuthorUrl(site, c) ?? '',
            pingIP: '127.0.0.1',
          };
        });
      return renderXmlRpcResponse(pings, site.charset);
    }
    case 'demo.sayHello':
      return renderXmlRpcResponse('Hello!', site.charset);
    default:
      return renderXmlRpcFault(-32601, `server error. requested method ${call.methodName} does not exist.`, site.charset);
  }
}

/** Renders trackback_response(): error 0, or error 1 with a message. */
export function renderTrackbackResponse(error: 0 | 1, message = ''): string {
  return error
    ? `<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>1</error>\n<message>${escapeHtml(message)}</message>\n</response>`
    : `<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>0</error>\n</response>`;
}
