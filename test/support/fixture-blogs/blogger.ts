// A fixture blog answering as Blogger (blogspot, layouts of about 2008–2024) does: home and post
// pages, the Atom post feed /feeds/posts/default (RSS with ?alt=rss) and per-post Atom comment
// feeds /feeds/<postId>/comments/default. It renders the given posts on every request and never fetches.
//
// What Blogger writes, and what threading depends on:
// - Ids are tag:blogger.com,1999:blog-<blogId>.post-<id> for posts and comments alike.
// - A comment's thr:in-reply-to always names the post (ref, href, source), never a parent comment.
//   A threaded reply (Blogger threads one level deep since 2012) names its parent only as
//   <link rel="related" href="<api>/feeds/<blogId>/<postId>/comments/default/<parentId>">, which
//   equals the parent's own <link rel="self">. Self, edit and related links live on www.blogger.com
//   (the `apiOrigin`), the fetchable feeds on the blog's own host.
// - The text/html replies link carries the count in its title ("3 Kommentare"); thr:total the number.
// - The RSS variant (?alt=rss) has thr:total but no comment feed link at all.
// Blogger has no pingbacks or trackbacks: comments of those types are left out. No RSD: Blogger's
// EditURI pointed at www.blogger.com, which tests must never reach.
import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { DebateComment, DebatePost } from '../../../src/demo/debate.ts';
import { type FixtureServer, startFixtureServer } from '../../../src/demo/fixture-server.ts';
import { localParts, offsetMinutes } from '../../../src/demo/local-time.ts';

export interface BloggerBlogOptions {
  /** Loopback address to listen on (default 127.0.0.1); the port is picked freely. */
  host?: string;
  /** Rendered on every request: callers may add comments or edit posts while the blog runs
   *  (posts themselves are routed at start). */
  posts: DebatePost[];
  name?: string;
  description?: string;
  /** The blog owner's display name and Blogger profile number. */
  author?: { name: string; profileId: string };
  /** Blogger's 18–19 digit blog id. */
  blogId?: string;
  /** Where Blogger's API feeds live (self, edit, related and thr:in-reply-to@source links). */
  apiOrigin?: string;
  /** Turns placeholders in content and author URLs into URLs (see debate.ts); identity by default. */
  resolveLinks?: (text: string) => string;
}

export interface BloggerBlog {
  /** http://host:port, no trailing slash. */
  origin: string;
  /** What a person pastes: origin plus "/". */
  homeUrl: string;
  blogId: string;
  server: FixtureServer;
  /** Blogger's number for a post or comment (19 digits, derived from the debate id). */
  postId(post: DebatePost): string;
  commentId(comment: DebateComment): string;
  /** The post page: /yyyy/mm/<slug>.html. */
  postUrl(post: DebatePost): string;
  /** tag:blogger.com,1999:blog-<blogId>.post-<postId> */
  postAtomId(post: DebatePost): string;
  commentAtomId(comment: DebateComment): string;
  /** /feeds/<postId>/comments/default on the blog's host. */
  commentFeedUrl(post: DebatePost): string;
  /** The comment's Atom self link, which a threaded reply names as rel="related". */
  commentSelfUrl(post: DebatePost, comment: DebateComment): string;
  /** The comment's rel="alternate": <post url>?showComment=<ms>#c<commentId>. */
  commentUrl(post: DebatePost, comment: DebateComment): string;
  close(): Promise<void>;
}

/** Blogger's default max-results for post and comment feeds. */
export const bloggerPageSize = 25;

interface Blog {
  origin: string;
  api: string;
  blogId: string;
  name: string;
  description: string;
  author: { name: string; profileId: string };
  posts: DebatePost[];
  resolveLinks: (text: string) => string;
}

// ---------------------------------------------------------------------------------------------
// Ids and URLs

// Blogger ids are 64-bit numbers; posts and comments share one id space (both are "post-<id>").
function bigId(prefix: '7' | '5', n: number): string {
  return `${prefix}${String(n).padStart(18, '0')}`;
}

function postIdOf(post: DebatePost): string {
  return bigId('7', post.id);
}

function commentIdOf(comment: DebateComment): string {
  return bigId('5', comment.id);
}

function postUrlOf(blog: Blog, post: DebatePost): string {
  const { year, month } = localParts(post.date);
  return `${blog.origin}/${year}/${month}/${post.slug}.html`;
}

function atomId(blog: Blog, id: string): string {
  return `tag:blogger.com,1999:blog-${blog.blogId}.post-${id}`;
}

function postSelfUrl(blog: Blog, post: DebatePost): string {
  return `${blog.api}/feeds/${blog.blogId}/posts/default/${postIdOf(post)}`;
}

function commentFeedUrlOf(blog: Blog, post: DebatePost): string {
  return `${blog.origin}/feeds/${postIdOf(post)}/comments/default`;
}

function commentSelfUrlOf(blog: Blog, post: DebatePost, comment: DebateComment): string {
  return `${blog.api}/feeds/${blog.blogId}/${postIdOf(post)}/comments/default/${commentIdOf(comment)}`;
}

function commentUrlOf(blog: Blog, post: DebatePost, comment: DebateComment): string {
  return `${postUrlOf(blog, post)}?showComment=${Date.parse(comment.date)}#c${commentIdOf(comment)}`;
}

function profileUrl(blog: Blog, profileId: string): string {
  return `${blog.api}/profile/${profileId}`;
}

// ---------------------------------------------------------------------------------------------
// Dates: Blogger writes times in the blog's zone with milliseconds (2008-11-12T10:00:00.000+01:00).

function bloggerDate(iso: string): string {
  const p = localParts(iso);
  const offset = offsetMinutes(iso);
  const sign = offset < 0 ? '-' : '+';
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const mm = String(Math.abs(offset) % 60).padStart(2, '0');
  const ms = String(new Date(iso).getUTCMilliseconds()).padStart(3, '0');
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}.${ms}${sign}${hh}:${mm}`;
}

function rssDate(iso: string): string {
  return new Date(iso).toUTCString().replace(/GMT$/, '+0000');
}

const germanMonths = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'];

// blogger.displayTime and the page's timestamps in de: "12. November 2008 um 11:05".
function displayTime(iso: string): string {
  const p = localParts(iso);
  return `${Number(p.day)}. ${germanMonths[Number(p.month) - 1]} ${p.year} um ${p.hour}:${p.minute}`;
}

function latest(dates: string[]): string {
  return dates.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}

// ---------------------------------------------------------------------------------------------
// Text

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Blogger quotes attributes with ' and so escapes both quote characters.
function escapeAttr(text: string): string {
  return escapeText(text).replace(/'/g, '&#39;').replace(/"/g, '&quot;');
}

function stripTags(html: string): string {
  return html.replace(/<[^>]*>/g, '');
}

// Blogger stores comments as typed and shows line breaks as <br>.
function commentHtml(blog: Blog, comment: DebateComment): string {
  return blog.resolveLinks(comment.content).replace(/\r\n?/g, '\n').replace(/\n/g, '<br>');
}

// A comment's Atom title is the start of its text.
function commentTitle(blog: Blog, comment: DebateComment): string {
  const text = stripTags(blog.resolveLinks(comment.content)).replace(/\s+/g, ' ').trim();
  if (text.length <= 50) return text;
  const cut = text.slice(0, 50);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 20 ? cut.lastIndexOf(' ') : 50)}...`;
}

function commentCountLabel(n: number): string {
  return n === 1 ? '1 Kommentar' : `${n} Kommentare`;
}

// ---------------------------------------------------------------------------------------------
// Queries

function postsNewestFirst(blog: Blog): DebatePost[] {
  return [...blog.posts].sort((a, b) => Date.parse(b.date) - Date.parse(a.date));
}

/** Comments Blogger knows: no pingbacks or trackbacks. */
function bloggerComments(post: DebatePost): DebateComment[] {
  return post.comments.filter((c) => c.type === 'comment');
}

function commentsNewestFirst(post: DebatePost): DebateComment[] {
  return bloggerComments(post).sort((a, b) => Date.parse(b.date) - Date.parse(a.date) || b.id - a.id);
}

// ---------------------------------------------------------------------------------------------
// Feeds

const feedNamespaces = `xmlns='http://www.w3.org/2005/Atom' xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' xmlns:blogger='http://schemas.google.com/blogger/2008' xmlns:georss='http://www.georss.org/georss' xmlns:gd="http://schemas.google.com/g/2005" xmlns:thr='http://purl.org/syndication/thread/1.0'`;

const prolog = `<?xml version='1.0' encoding='UTF-8'?><?xml-stylesheet href="http://www.blogger.com/styles/atom.css" type="text/css"?>`;

const avatar = `<gd:image rel='http://schemas.google.com/g/2005#thumbnail' width='16' height='16' src='https://img1.blogblog.com/img/b16-rounded.gif'/>`;

function ownerAuthor(blog: Blog): string {
  return `<author><name>${escapeText(blog.author.name)}</name><uri>${profileUrl(blog, blog.author.profileId)}</uri><email>noreply@blogger.com</email>${avatar}</author>`;
}

function openSearch(total: number, shown: number, startIndex = 1): string {
  return `<openSearch:totalResults>${total}</openSearch:totalResults><openSearch:startIndex>${startIndex}</openSearch:startIndex><openSearch:itemsPerPage>${Math.max(shown, bloggerPageSize)}</openSearch:itemsPerPage>`;
}

/** Blogger's largest max-results: a larger value is taken as this. */
export const bloggerMaxResults = 500;

/** Reads GData's start-index (1-based) and max-results from a feed request, as Blogger clamps them. */
function feedPage(url: URL): { start: number; size: number } {
  const start = Number(url.searchParams.get('start-index') ?? 1);
  const size = Number(url.searchParams.get('max-results') ?? bloggerPageSize);
  return {
    start: Number.isInteger(start) && start >= 1 ? start : 1,
    size: Number.isInteger(size) && size >= 0 ? Math.min(size, bloggerMaxResults) : bloggerPageSize,
  };
}

function labels(post: DebatePost): string {
  return post.categories.map((c) => `<category scheme='http://www.blogger.com/atom/ns#' term='${escapeAttr(c)}'/>`).join('');
}

function atomPostEntry(blog: Blog, post: DebatePost): string {
  const url = postUrlOf(blog, post);
  const n = bloggerComments(post).length;
  return `<entry><id>${atomId(blog, postIdOf(post))}</id><published>${bloggerDate(post.date)}</published><updated>${bloggerDate(post.modified)}</updated>${labels(post)}<title type='text'>${escapeText(post.title)}</title><content type='html'>${escapeText(blog.resolveLinks(post.content))}</content><link rel='replies' type='application/atom+xml' href='${commentFeedUrlOf(blog, post)}' title='Kommentare zum Post'/><link rel='replies' type='text/html' href='${url}#comment-form' title='${commentCountLabel(n)}'/><link rel='edit' type='application/atom+xml' href='${postSelfUrl(blog, post)}'/><link rel='self' type='application/atom+xml' href='${postSelfUrl(blog, post)}'/><link rel='alternate' type='text/html' href='${url}' title='${escapeAttr(post.title)}'/>${ownerAuthor(blog)}<thr:total>${n}</thr:total></entry>`;
}

/** Renders /feeds/posts/default: the newest 25 posts, Atom, on one line as Blogger sends it. */
function renderPostsAtom(blog: Blog): string {
  const posts = postsNewestFirst(blog);
  const shown = posts.slice(0, bloggerPageSize);
  const updated = posts.length ? latest(posts.map((p) => p.modified)) : new Date(0).toISOString();
  const categories = [...new Set(posts.flatMap((p) => p.categories))].map((c) => `<category term='${escapeAttr(c)}'/>`).join('');
  return `${prolog}<feed ${feedNamespaces}><id>tag:blogger.com,1999:blog-${blog.blogId}</id><updated>${bloggerDate(updated)}</updated>${categories}<title type='text'>${escapeText(blog.name)}</title><subtitle type='html'>${escapeText(blog.description)}</subtitle><link rel='http://schemas.google.com/g/2005#feed' type='application/atom+xml' href='${blog.origin}/feeds/posts/default'/><link rel='self' type='application/atom+xml' href='${blog.api}/feeds/${blog.blogId}/posts/default'/><link rel='alternate' type='text/html' href='${blog.origin}/'/><link rel='hub' href='http://pubsubhubbub.appspot.com/'/>${ownerAuthor(blog)}<generator version='7.00' uri='http://www.blogger.com'>Blogger</generator>${openSearch(posts.length, shown.length)}${shown.map((p) => atomPostEntry(blog, p)).join('')}</feed>`;
}

function rssPostItem(blog: Blog, post: DebatePost): string {
  const categories = post.categories.map((c) => `<category domain='http://www.blogger.com/atom/ns#'>${escapeText(c)}</category>`).join('');
  return `<item><guid isPermaLink='false'>${atomId(blog, postIdOf(post))}</guid><pubDate>${rssDate(post.date)}</pubDate><atom:updated>${bloggerDate(post.modified)}</atom:updated>${categories}<title>${escapeText(post.title)}</title><description>${escapeText(blog.resolveLinks(post.content))}</description><link>${postUrlOf(blog, post)}</link><author>noreply@blogger.com (${escapeText(blog.author.name)})</author><thr:total>${bloggerComments(post).length}</thr:total></item>`;
}

/** Renders /feeds/posts/default?alt=rss: RSS 2.0 with thr:total but no comment feed links. */
function renderPostsRss(blog: Blog): string {
  const posts = postsNewestFirst(blog);
  const shown = posts.slice(0, bloggerPageSize);
  const updated = posts.length ? latest(posts.map((p) => p.modified)) : new Date(0).toISOString();
  return `<?xml version='1.0' encoding='UTF-8'?><rss xmlns:atom='http://www.w3.org/2005/Atom' xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' xmlns:blogger='http://schemas.google.com/blogger/2008' xmlns:georss='http://www.georss.org/georss' xmlns:gd="http://schemas.google.com/g/2005" xmlns:thr='http://purl.org/syndication/thread/1.0' version='2.0'><channel><atom:id>tag:blogger.com,1999:blog-${blog.blogId}</atom:id><lastBuildDate>${rssDate(updated)}</lastBuildDate><title>${escapeText(blog.name)}</title><description>${escapeText(blog.description)}</description><link>${blog.origin}/</link><managingEditor>noreply@blogger.com (${escapeText(blog.author.name)})</managingEditor><generator>Blogger</generator>${openSearch(posts.length, shown.length)}${shown.map((p) => rssPostItem(blog, p)).join('')}</channel></rss>`;
}

function commentAuthor(blog: Blog, comment: DebateComment): string {
  // Anonymous comments are "Anonym"; Name/URL comments carry the URL as uri.
  const url = comment.authorUrl ? blog.resolveLinks(comment.authorUrl) : null;
  const uri = url ? `<uri>${escapeText(url)}</uri>` : '';
  return `<author><name>${escapeText(comment.author || 'Anonym')}</name>${uri}<email>noreply@blogger.com</email>${avatar}</author>`;
}

function atomCommentEntry(blog: Blog, post: DebatePost, comment: DebateComment): string {
  const self = commentSelfUrlOf(blog, post, comment);
  const parent = comment.parentId ? post.comments.find((c) => c.id === comment.parentId && c.type === 'comment') : undefined;
  const related = parent ? `<link rel='related' type='application/atom+xml' href='${commentSelfUrlOf(blog, post, parent)}'/>` : '';
  return `<entry><id>${atomId(blog, commentIdOf(comment))}</id><published>${bloggerDate(comment.date)}</published><updated>${bloggerDate(comment.date)}</updated><title type='text'>${escapeText(commentTitle(blog, comment))}</title><content type='html'>${escapeText(commentHtml(blog, comment))}</content><link rel='edit' type='application/atom+xml' href='${self}'/><link rel='self' type='application/atom+xml' href='${self}'/><link rel='alternate' type='text/html' href='${commentUrlOf(blog, post, comment)}' title=''/>${related}${commentAuthor(blog, comment)}<thr:in-reply-to xmlns:thr='http://purl.org/syndication/thread/1.0' href='${postUrlOf(blog, post)}' ref='${atomId(blog, postIdOf(post))}' source='${postSelfUrl(blog, post)}' type='text/html'/><gd:extendedProperty name='blogger.itemClass' value='pid-${comment.id}'/><gd:extendedProperty name='blogger.displayTime' value='${displayTime(comment.date)}'/></entry>`;
}

/**
 * Renders /feeds/<postId>/comments/default: the newest 25 comments (or the page start-index and
 * max-results ask for), replies naming their parent as rel="related".
 */
function renderCommentsAtom(blog: Blog, post: DebatePost, page: { start: number; size: number } = { start: 1, size: bloggerPageSize }): string {
  const comments = commentsNewestFirst(post);
  const shown = comments.slice(page.start - 1, page.start - 1 + page.size);
  const updated = latest([post.modified, ...comments.map((c) => c.date)]);
  return `${prolog}<feed xmlns='http://www.w3.org/2005/Atom' xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' xmlns:gd="http://schemas.google.com/g/2005"><id>tag:blogger.com,1999:blog-${blog.blogId}.post${postIdOf(post)}..comments</id><updated>${bloggerDate(updated)}</updated><title type='text'>Kommentare zu ${escapeText(blog.name)}: ${escapeText(post.title)}</title><link rel='http://schemas.google.com/g/2005#feed' type='application/atom+xml' href='${commentFeedUrlOf(blog, post)}'/><link rel='self' type='application/atom+xml' href='${blog.api}/feeds/${blog.blogId}/${postIdOf(post)}/comments/default'/><link rel='alternate' type='text/html' href='${postUrlOf(blog, post)}'/><link rel='hub' href='http://pubsubhubbub.appspot.com/'/>${ownerAuthor(blog)}<generator version='7.00' uri='http://www.blogger.com'>Blogger</generator>${openSearch(comments.length, shown.length, page.start)}${shown.map((c) => atomCommentEntry(blog, post, c)).join('')}</feed>`;
}

// ---------------------------------------------------------------------------------------------
// Pages

function pageHead(blog: Blog, title: string, canonical: string, post?: DebatePost): string {
  const name = escapeAttr(blog.name);
  // A post page also offers its comment feed, under the same title as the post feed.
  const commentFeed = post
    ? `\n<link rel="alternate" type="application/atom+xml" title="${name} - Atom" href="${commentFeedUrlOf(blog, post)}" />`
    : '';
  return `<!DOCTYPE html>
<html class='v2' dir='ltr' lang='de' xmlns='http://www.w3.org/1999/xhtml' xmlns:b='http://www.google.com/2005/gml/b' xmlns:data='http://www.google.com/2005/gml/data' xmlns:expr='http://www.google.com/2005/gml/expr'>
<head>
<meta content='width=1100' name='viewport'/>
<meta content='text/html; charset=UTF-8' http-equiv='Content-Type'/>
<meta content='blogger' name='generator'/>
<link href='${blog.origin}/favicon.ico' rel='icon' type='image/x-icon'/>
<link href='${canonical}' rel='canonical'/>
<link rel="alternate" type="application/atom+xml" title="${name} - Atom" href="${blog.origin}/feeds/posts/default" />
<link rel="alternate" type="application/rss+xml" title="${name} - RSS" href="${blog.origin}/feeds/posts/default?alt=rss" />
<link rel="service.post" type="application/atom+xml" title="${name} - Atom" href="${blog.api}/feeds/${blog.blogId}/posts/default" />${commentFeed}
<link rel="me" href="${profileUrl(blog, blog.author.profileId)}" />
<meta content='${canonical}' property='og:url'/>
<meta content='${escapeAttr(title)}' property='og:title'/>
<meta content='${escapeAttr(blog.description)}' property='og:description'/>
<title>${escapeText(title)}</title>
</head>
`;
}

function header(blog: Blog): string {
  return `<div class='header-outer'><div class='Header widget' id='Header1'><div id='header-inner'><div class='titlewrapper'><h1 class='title'><a href='${blog.origin}/'>${escapeText(blog.name)}</a></h1></div><div class='descriptionwrapper'><p class='description'><span>${escapeText(blog.description)}</span></p></div></div></div></div>`;
}

function postBlock(blog: Blog, post: DebatePost, single: boolean): string {
  const url = postUrlOf(blog, post);
  const title = single ? escapeText(post.title) : `<a href='${url}'>${escapeText(post.title)}</a>`;
  const n = bloggerComments(post).length;
  return `<div class='date-outer'><h2 class='date-header'><span>${displayTime(post.date).replace(/ um .*$/, '')}</span></h2>
<div class='post-outer'><div class='post hentry uncustomized-post-template' itemprop='blogPost' itemscope='itemscope' itemtype='http://schema.org/BlogPosting'>
<a name='${postIdOf(post)}'></a>
<h3 class='post-title entry-title' itemprop='name'>${title}</h3>
<div class='post-header'></div>
<div class='post-body entry-content' id='post-body-${postIdOf(post)}' itemprop='description articleBody'>
${blog.resolveLinks(post.content)}
<div style='clear: both;'></div>
</div>
<div class='post-footer'><div class='post-footer-line post-footer-line-1'><span class='post-author vcard'>Eingestellt von <span class='fn' itemprop='author'><a class='g-profile' href='${profileUrl(blog, blog.author.profileId)}' rel='author' title='author profile'><span itemprop='name'>${escapeText(blog.author.name)}</span></a></span></span> <span class='post-timestamp'>um <a class='timestamp-link' href='${url}' rel='bookmark' title='permanent link'><abbr class='published' itemprop='datePublished' title='${bloggerDate(post.date)}'>${localParts(post.date).hour}:${localParts(post.date).minute}</abbr></a></span> <span class='post-comment-link'><a class='comment-link' href='${url}#comment-form' onclick=''>${n === 0 ? 'Keine Kommentare' : commentCountLabel(n)}:</a></span></div></div>
</div></div></div>
`;
}

/** Renders the home page: the newest posts with the feed links Blogger puts in every head. */
function renderHomePage(blog: Blog): string {
  const posts = postsNewestFirst(blog).slice(0, 7);
  return `${pageHead(blog, blog.name, `${blog.origin}/`)}<body class='loading'>
${header(blog)}
<div class='main-outer'><div class='blog-posts hfeed'>
${posts.map((p) => postBlock(blog, p, false)).join('')}</div>
<div class='blog-feeds'>Abonnieren <a class='feed-link' href='${blog.origin}/feeds/posts/default' target='_blank' type='application/atom+xml'>Posts (Atom)</a></div>
</div>
</body>
</html>
`;
}

function commentItem(blog: Blog, post: DebatePost, comment: DebateComment, replies: DebateComment[]): string {
  const id = commentIdOf(comment);
  const url = comment.authorUrl ? blog.resolveLinks(comment.authorUrl) : null;
  const name = escapeText(comment.author || 'Anonym');
  const cite = url ? `<a href='${escapeAttr(url)}' rel='nofollow'>${name}</a>` : name;
  const thread = replies.length
    ? `<div class='comment-replies'><div class='comment-thread inline-thread' id='c${id}-rt'><span class='thread-toggle thread-expanded'><span class='thread-arrow'></span><span class='thread-count'><a target='_self'>Antworten</a></span></span><ol class='thread-chrome thread-expanded' id='c${id}-ra'><div>
${replies.map((r) => commentItem(blog, post, r, [])).join('')}</div></ol></div></div>`
    : '';
  return `<li class='comment' id='c${id}'><div class='avatar-image-container'><img src='//resources.blogblog.com/img/blank.gif' alt=''/></div><div class='comment-block'><div class='comment-header'><cite class='user'>${cite}</cite><span class='icon user'></span><span class='datetime secondary-text'><a rel='nofollow' href='${commentUrlOf(blog, post, comment)}'>${displayTime(comment.date)}</a></span></div><p class='comment-content'>${commentHtml(blog, comment)}</p><span class='comment-actions secondary-text'><a class='comment-reply' target='_self' data-comment-id='${id}'>Antworten</a></span></div>${thread}</li>
`;
}

/** Renders a post page with its comments, threaded one level as Blogger shows them. */
function renderPostPage(blog: Blog, post: DebatePost): string {
  const comments = bloggerComments(post).sort((a, b) => Date.parse(a.date) - Date.parse(b.date) || a.id - b.id);
  const ids = new Set(comments.map((c) => c.id));
  // Blogger threads one level: a reply to a reply joins its thread's top-level comment.
  const topOf = (c: DebateComment): DebateComment => {
    let current = c;
    for (let i = 0; i < 100 && current.parentId && ids.has(current.parentId); i++) {
      current = comments.find((x) => x.id === current.parentId) ?? current;
    }
    return current;
  };
  const tops = comments.filter((c) => !c.parentId || !ids.has(c.parentId));
  const items = tops.map((top) => commentItem(blog, post, top, comments.filter((c) => c !== top && topOf(c) === top))).join('');
  const url = postUrlOf(blog, post);
  return `${pageHead(blog, `${blog.name}: ${post.title}`, url, post)}<body class='loading'>
${header(blog)}
<div class='main-outer'><div class='blog-posts hfeed'>
${postBlock(blog, post, true)}</div>
<div class='comments' id='comments'>
<a name='comments'></a>
<h4>${comments.length === 0 ? 'Keine Kommentare' : commentCountLabel(comments.length)}:</h4>
<div class='comments-content'><div class='comment-thread toplevel-thread'><ol id='top-ra'>
${items}</ol></div></div>
<p class='comment-footer'><div class='comment-form'><a name='comment-form'></a><h4 id='comment-post-message'>Kommentar veröffentlichen</h4><a href='${blog.api}/comment/frame/${blog.blogId}?po=${postIdOf(post)}&amp;hl=de' id='comment-editor-src'></a></div></p>
</div>
</div>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------------------------
// HTTP

function send(req: http.IncomingMessage, res: http.ServerResponse, type: string, body: string): void {
  const bytes = Buffer.from(body, 'utf8');
  // Blogger answers feeds with a weak ETag and honours If-None-Match.
  const etag = `W/"${createHash('md5').update(bytes).digest('hex')}"`;
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag });
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': `${type}; charset=UTF-8`, 'content-length': String(bytes.length), etag });
  res.end(bytes);
}

/** Starts a Blogger fixture blog on a free port of `host` and resolves once it listens. */
export async function startBloggerBlog(options: BloggerBlogOptions): Promise<BloggerBlog> {
  const server = await startFixtureServer({}, { host: options.host ?? '127.0.0.1' });
  const blog: Blog = {
    origin: server.origin,
    api: (options.apiOrigin ?? 'https://www.blogger.com').replace(/\/$/, ''),
    blogId: options.blogId ?? '8474926331452026626',
    name: options.name ?? 'Jens bloggt',
    description: options.description ?? 'Netz, Kultur und Gesellschaft',
    author: options.author ?? { name: 'Jens Best', profileId: '08151234567890123456' },
    posts: options.posts,
    resolveLinks: options.resolveLinks ?? ((text) => text),
  };
  server.set('/', (req, res) => send(req, res, 'text/html', renderHomePage(blog)));
  server.set('/feeds/posts/default', (req, res) => {
    const alt = new URL(req.url ?? '/', blog.origin).searchParams.get('alt');
    if (alt === 'rss') return send(req, res, 'application/rss+xml', renderPostsRss(blog));
    send(req, res, 'application/atom+xml', renderPostsAtom(blog));
  });
  // The posts present at start get routes; their comments and edits show on the next request.
  for (const post of blog.posts) {
    server.set(new URL(postUrlOf(blog, post)).pathname, (req, res) => send(req, res, 'text/html', renderPostPage(blog, post)));
    server.set(new URL(commentFeedUrlOf(blog, post)).pathname, (req, res) => send(req, res, 'application/atom+xml', renderCommentsAtom(blog, post, feedPage(new URL(req.url ?? '/', blog.origin)))));
  }

  return {
    origin: blog.origin,
    homeUrl: `${blog.origin}/`,
    blogId: blog.blogId,
    server,
    postId: postIdOf,
    commentId: commentIdOf,
    postUrl: (post) => postUrlOf(blog, post),
    postAtomId: (post) => atomId(blog, postIdOf(post)),
    commentAtomId: (comment) => atomId(blog, commentIdOf(comment)),
    commentFeedUrl: (post) => commentFeedUrlOf(blog, post),
    commentSelfUrl: (post, comment) => commentSelfUrlOf(blog, post, comment),
    commentUrl: (post, comment) => commentUrlOf(blog, post, comment),
    close: () => server.close(),
  };
}
