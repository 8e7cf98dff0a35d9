// A fixture blog answering as a Movable Type 4/5 site with its default templates does: static
// pages and feeds (atom.xml, index.xml, rsd.xml), TrackBack through mt-tb.cgi (pings and the
// ?__mode=rss listing). It renders the given posts on every request and never fetches.
//
// What MT writes, and what Palaver has to live with:
// - Feeds carry no comment information at all, and MT ships no comment feed (neither MT 3's nor
//   MT 4/5's default template sets have one): comments exist only as HTML on the entry page.
// - Each entry page carries the TrackBack RDF in an HTML comment; there is no pingback (no
//   X-Pingback, no <link rel="pingback">): MT never implemented it. Its RSD names mt-xmlrpc.cgi,
//   which knows no pingback.* methods and answers them with an XMLRPC::Lite "Client" fault.
// - Atom ids come from MT::Entry::make_atom_id: tag:<host without port>,<year>:<site path>/<blog id>.<entry id>,
//   so a blog at the root gets "//" (tag:example.org,2008://1.41).
// - encode_xml wraps text holding < > & in CDATA, even inside attributes (dc:description).
// - The listing's channel <title> is the entry title unescaped (MT::App::Trackback::_generate_rss),
//   so a title with "&" makes it ill-formed XML. Its items have no dates and come oldest first.
// - A repeated ping from the same URL is answered <error>0</error> and silently dropped.
// Comments of type 'trackback' are MT TrackBack pings (title = the <strong> part of the content);
// 'pingback' comments are left out.
import type http from 'node:http';
import type { DebateComment, DebatePost } from '../../../src/demo/debate.ts';
import { type FixtureServer, startFixtureServer } from '../../../src/demo/fixture-server.ts';
import { localParts } from '../../../src/demo/local-time.ts';
import { parseForm } from '../../../src/demo/form-body.ts';

export const movableTypeVersion = '4.38';

export interface MovableTypeBlogOptions {
  /** Loopback address to listen on (default 127.0.0.1); the port is picked freely. */
  host?: string;
  /** Rendered on every request: callers may add comments or edit posts (posts are routed at start). */
  posts: DebatePost[];
  name?: string;
  description?: string;
  /** MT's blog_id, part of every Atom id. */
  blogId?: number;
  /** Turns placeholders in content and author URLs into URLs (see debate.ts); identity by default. */
  resolveLinks?: (text: string) => string;
}

export interface MovableTypeBlog {
  /** http://host:port, no trailing slash. */
  origin: string;
  /** What a person pastes: origin plus "/". */
  homeUrl: string;
  server: FixtureServer;
  /** The individual archive page: /yyyy/mm/<basename>.html (basename cut at 30 characters, as MT does). */
  entryUrl(post: DebatePost): string;
  /** MT's Atom id of an entry. */
  entryAtomId(post: DebatePost): string;
  /** <cgi>/mt-tb.cgi/<tb id>: where TrackBack pings go, and with ?__mode=rss the listing. */
  trackbackUrl(post: DebatePost): string;
  /** The comment's anchor on the entry page: <entry url>#comment-<id>. */
  commentUrl(post: DebatePost, comment: DebateComment): string;
  close(): Promise<void>;
}

const cgiPath = '/cgi-bin/mt';

interface Blog {
  origin: string;
  /** blog_id */
  id: number;
  name: string;
  description: string;
  posts: DebatePost[];
  resolveLinks: (text: string) => string;
}

// ---------------------------------------------------------------------------------------------
// URLs and ids

// dirify(): lower case, ASCII only, words joined by "_"; the default basename length is 30; the
// archive mapping %y/%m/%-f turns "_" into "-".
function basename(post: DebatePost): string {
  const dirified = post.slug
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30)
    .replace(/^_+|_+$/g, '');
  return dirified.replace(/_/g, '-');
}

function entryUrlOf(blog: Blog, post: DebatePost): string {
  const { year, month } = localParts(post.date);
  return `${blog.origin}/${year}/${month}/${basename(post)}.html`;
}

function entryAtomIdOf(blog: Blog, post: DebatePost): string {
  const host = new URL(blog.origin).hostname;
  return `tag:${host},${localParts(post.date).year}://${blog.id}.${post.id}`;
}

// MT::Trackback objects have their own ids; here they follow the entry ids at a distance.
function trackbackIdOf(post: DebatePost): number {
  return post.id + 100;
}

function trackbackUrlOf(blog: Blog, post: DebatePost): string {
  return `${blog.origin}${cgiPath}/mt-tb.cgi/${trackbackIdOf(post)}`;
}

function commentUrlOf(blog: Blog, post: DebatePost, comment: DebateComment): string {
  return `${entryUrlOf(blog, post)}#comment-${comment.id}`;
}

// ---------------------------------------------------------------------------------------------
// Dates

function offset(iso: string, separator: string): string {
  const p = localParts(iso);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  const minutes = Math.round((asUtc - Math.floor(Date.parse(iso) / 1000) * 1000) / 60000);
  const hh = String(Math.floor(Math.abs(minutes) / 60)).padStart(2, '0');
  const mm = String(Math.abs(minutes) % 60).padStart(2, '0');
  return `${minutes < 0 ? '-' : '+'}${hh}${separator}${mm}`;
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** format_name="rfc822": the blog's local time with its offset, English names. */
function rfc822(iso: string): string {
  const p = localParts(iso);
  const weekday = weekdays[new Date(Date.UTC(+p.year, +p.month - 1, +p.day)).getUTCDay()];
  return `${weekday}, ${p.day} ${months[Number(p.month) - 1]} ${p.year} ${p.hour}:${p.minute}:${p.second} ${offset(iso, '')}`;
}

/** format_name="iso8601": local time with the offset. */
function iso8601(iso: string): string {
  const p = localParts(iso);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset(iso, ':')}`;
}

/** utc="1" format="%Y-%m-%dT%H:%M:%SZ" */
function utcDate(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const germanMonths = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'];

/** The de locale's %x %X as MT 4 prints it: "15. November 2008 09:14". */
function displayDate(iso: string): string {
  const p = localParts(iso);
  return `${Number(p.day)}. ${germanMonths[Number(p.month) - 1]} ${p.year} ${p.hour}:${p.minute}`;
}

// ---------------------------------------------------------------------------------------------
// Text

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// MT::Util::encode_xml: CDATA when the text holds markup characters (and no "]]>"), else entities.
function encodeXml(text: string): string {
  if (/[<>&]/.test(text) && !text.includes(']]>')) return `<![CDATA[${text}]]>`;
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#39;');
}

function stripTags(html: string): string {
  return html.replace(/<[^>]*>/g, '');
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function body(blog: Blog, post: DebatePost): string {
  return blog.resolveLinks(post.content);
}

// MTEntryExcerpt without an explicit excerpt: the first 40 words of the text, then "...".
function excerpt(blog: Blog, post: DebatePost): string {
  const words = decodeEntities(stripTags(body(blog, post))).split(/\s+/).filter(Boolean);
  return words.length > 40 ? `${words.slice(0, 40).join(' ')}...` : words.join(' ');
}

// convert_breaks "__default__": blank lines make paragraphs, line breaks <br />.
function commentHtml(blog: Blog, comment: DebateComment): string {
  return blog
    .resolveLinks(comment.content)
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${p.replace(/\n/g, '<br />\n')}</p>`)
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Queries

function postsNewestFirst(blog: Blog): DebatePost[] {
  return [...blog.posts].sort((a, b) => Date.parse(b.date) - Date.parse(a.date));
}

function mtComments(post: DebatePost): DebateComment[] {
  return post.comments.filter((c) => c.type === 'comment').sort((a, b) => Date.parse(a.date) - Date.parse(b.date) || a.id - b.id);
}

interface Ping {
  id: number;
  title: string;
  excerpt: string;
  url: string;
  blogName: string;
  date: string;
}

/** The entry's TrackBack pings in id order, read from its 'trackback' comments. */
function pingsOf(blog: Blog, post: DebatePost): Ping[] {
  return post.comments
    .filter((c) => c.type === 'trackback')
    .sort((a, b) => a.id - b.id)
    .map((c) => {
      const m = /^\s*<strong>([\s\S]*?)<\/strong>\s*([\s\S]*)$/.exec(c.content);
      return {
        id: c.id,
        title: m ? m[1]! : '',
        excerpt: (m ? m[2]! : c.content).trim(),
        url: blog.resolveLinks(c.authorUrl ?? ''),
        blogName: c.author,
        date: c.date,
      };
    });
}

// ---------------------------------------------------------------------------------------------
// Feeds

function categories(post: DebatePost, scheme: 'atom' | 'rss'): string {
  return post.categories
    .map((c) =>
      scheme === 'atom'
        ? `\n    <category term="${encodeXml(c)}" scheme="http://www.sixapart.com/ns/types#category" />`
        : `\n            <category domain="http://www.sixapart.com/ns/types#category">${encodeXml(c)}</category>`,
    )
    .join('');
}

/** Renders atom.xml ("Feed - Recent Entries"): 15 entries, no comment elements of any kind. */
function renderAtom(blog: Blog): string {
  const posts = postsNewestFirst(blog).slice(0, 15);
  const newest = posts[0];
  const entries = posts
    .map(
      (post) => `<entry>
    <title>${encodeXml(post.title)}</title>
    <link rel="alternate" type="text/html" href="${encodeXml(entryUrlOf(blog, post))}" />
    <id>${entryAtomIdOf(blog, post)}</id>

    <published>${utcDate(post.date)}</published>
    <updated>${utcDate(post.modified)}</updated>

    <summary>${encodeXml(excerpt(blog, post))}</summary>
    <author>
        <name>${encodeXml(post.author)}</name>
        
    </author>
    ${categories(post, 'atom').trimStart()}
    <content type="html" xml:lang="de" xml:base="${blog.origin}/">
        ${encodeXml(body(blog, post))}
        
    </content>
</entry>
`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
    <title>${encodeXml(blog.name)}</title>
    <link rel="alternate" type="text/html" href="${blog.origin}/" />
    <link rel="self" type="application/atom+xml" href="${blog.origin}/atom.xml" />
    <id>tag:${new URL(blog.origin).hostname},2008-09-01://${blog.id}</id>
    <updated>${newest ? utcDate(newest.modified) : ''}</updated>
    ${blog.description ? `<subtitle>${encodeXml(blog.description)}</subtitle>` : ''}
    <generator uri="http://www.sixapart.com/movabletype/">Movable Type ${movableTypeVersion}</generator>

${entries}
</feed>
`;
}

/** Renders index.xml ("RSS 2.0 Index"): the body as description, the permalink as guid, no trackback:ping. */
function renderRss(blog: Blog): string {
  const posts = postsNewestFirst(blog).slice(0, 15);
  const newest = posts[0];
  const items = posts
    .map(
      (post) => `        <item>
            <title>${encodeXml(post.title)}</title>
            <description>${encodeXml(body(blog, post))}</description>
            <link>${encodeXml(entryUrlOf(blog, post))}</link>
            <guid>${encodeXml(entryUrlOf(blog, post))}</guid>
            ${categories(post, 'rss').trimStart()}
            <pubDate>${rfc822(post.date)}</pubDate>
        </item>
`,
    )
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
    <channel>
        <title>${encodeXml(blog.name)}</title>
        <link>${blog.origin}/</link>
        <description>${encodeXml(blog.description)}</description>
        <language>de</language>
        <copyright>Copyright ${newest ? localParts(newest.date).year : '2008'}</copyright>
        <lastBuildDate>${newest ? rfc822(newest.date) : ''}</lastBuildDate>
        <generator>http://www.sixapart.com/movabletype/</generator>
        <docs>http://www.rssboard.org/rss-specification</docs>
${items}    </channel>
</rss>
`;
}

/** Renders rsd.xml as the RSD index template does. */
function renderRsd(blog: Blog): string {
  const api = `${blog.origin}${cgiPath}/mt-xmlrpc.cgi`;
  return `<?xml version="1.0"?>
<rsd version="1.0" xmlns="http://archipelago.phrasewise.com/rsd">
<service>
<engineName>Movable Type ${movableTypeVersion}</engineName>
<engineLink>http://www.sixapart.com/movabletype/</engineLink>
<homePageLink>${blog.origin}/</homePageLink>
<apis>
<api name="MetaWeblog" preferred="true" apiLink="${api}" blogID="${blog.id}" />
<api name="MovableType" preferred="false" apiLink="${api}" blogID="${blog.id}" />
<api name="Blogger" preferred="false" apiLink="${api}" blogID="${blog.id}" />
<api name="Atom" preferred="false" apiLink="${blog.origin}${cgiPath}/mt-atom.cgi/weblog" blogID="${blog.id}" />
</apis>
</service>
</rsd>
`;
}

// ---------------------------------------------------------------------------------------------
// TrackBack (MT::App::Trackback)

function trackbackResponse(error?: string, rss?: string): string {
  if (error !== undefined) {
    return `<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>1</error>\n<message>${escapeHtml(error)}</message>\n</response>\n`;
  }
  return `<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>0</error>\n${rss ?? ''}</response>\n`;
}

// _generate_rss(): title, link and description of the MT::Trackback object (the entry's title
// unescaped, its permalink and excerpt), then every visible ping in id order, without dates.
function renderTrackbackListing(blog: Blog, post: DebatePost): string {
  const items = pingsOf(blog, post)
    .map((ping) => {
      const description = ping.excerpt ? `<description>${encodeXml(ping.excerpt)}</description>\n` : '';
      return `<item>\n<title>${encodeXml(ping.title || ping.url)}</title>\n<link>${encodeXml(ping.url)}</link>\n${description}</item>\n`;
    })
    .join('');
  return `<rss version="0.91"><channel>
<title>${post.title}</title>
<link>${entryUrlOf(blog, post)}</link>
<description>${excerpt(blog, post)}</description>
<language>de</language>
${items}</channel>
</rss>`;
}

/** Handles POST mt-tb.cgi/<id>: stores the ping as a 'trackback' comment and answers as MT does. */
function receivePing(blog: Blog, post: DebatePost, req: http.IncomingMessage, form: Buffer): string {
  if (req.method !== 'POST') return trackbackResponse('Trackback pings must use HTTP POST');
  const declared = /charset=([^;\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
  const first = parseForm(form, declared);
  const fields = !declared && first.get('charset') ? parseForm(form, first.get('charset')) : first;
  const url = fields.get('url') ?? '';
  if (!url) return trackbackResponse('You need to provide a Source URL (url).');
  if (!/^https?:\/\/[^/\s]+/i.test(url)) return trackbackResponse(`Invalid URL '${url}'`);
  if (pingsOf(blog, post).some((p) => p.url === url)) return trackbackResponse();
  const excerptText = fields.get('excerpt') ?? '';
  // LENGTH_ENTRY_PING_EXCERPT is 255.
  const cut = excerptText.length > 255 ? `${excerptText.slice(0, 252)}...` : excerptText;
  const title = fields.get('title') || url;
  const id = Math.max(0, ...blog.posts.flatMap((p) => p.comments.map((c) => c.id))) + 1;
  post.comments.push({
    id,
    type: 'trackback',
    author: fields.get('blog_name') ?? '',
    authorUrl: url,
    date: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(),
    content: `<strong>${title}</strong>\n\n${cut}`,
    parentId: 0,
  });
  return trackbackResponse();
}

// ---------------------------------------------------------------------------------------------
// Pages

function htmlHead(blog: Blog, title: string): string {
  return `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" id="sixapart-standard">
<head>
    <title>${title}</title>
    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta name="generator" content="Movable Type ${movableTypeVersion}" />
<link rel="stylesheet" href="${blog.origin}/styles.css" type="text/css" />
<link rel="start" href="${blog.origin}/" title="Home" />
<link rel="alternate" type="application/atom+xml" title="Recent Entries" href="${blog.origin}/atom.xml" />
<link rel="alternate" type="application/rss+xml" title="RSS 2.0" href="${blog.origin}/index.xml" />
<script type="text/javascript" src="${blog.origin}/mt.js"></script>
`;
}

function bannerHeader(blog: Blog): string {
  return `            <div id="header">
                <div id="header-inner">
                    <div id="header-content">
                        <div id="header-name"><a href="${blog.origin}/" accesskey="1">${escapeHtml(blog.name)}</a></div>
                        <div id="header-description">${escapeHtml(blog.description)}</div>
                    </div>
                </div>
            </div>
`;
}

function byline(blog: Blog, post: DebatePost): string {
  const comments = mtComments(post).length;
  const pings = pingsOf(blog, post).length;
  const url = entryUrlOf(blog, post);
  return `<span class="byline">
                                            Von <span class="vcard author">${escapeHtml(post.author)}</span> am <abbr class="published" title="${iso8601(post.date)}">${displayDate(post.date)}</abbr>
                                        </span>
                                        <span class="separator">|</span> <a href="${url}#comments">${comments === 1 ? '1 Kommentar' : `${comments} Kommentare`}</a>
                                        <span class="separator">|</span> <a href="${url}#trackback">${pings === 1 ? '1 TrackBack' : `${pings} TrackBacks`}</a>`;
}


/** Renders an entry as the default templates' "entry-asset" block, headed by `heading`. */
function entryAsset(blog: Blog, post: DebatePost, heading: string): string {
  return `                            <div id="entry-${post.id}" class="entry-asset asset hentry">
                                <div class="asset-header">
                                    ${heading}
                                    <div class="asset-meta">
                                        ${byline(blog, post)}
                                    </div>
                                </div>
                                <div class="asset-content entry-content">
                                    <div class="asset-body">
                                        ${body(blog, post)}
                                    </div>
                                </div>
                            </div>`;
}

/** Renders index.html: entry summaries, with the Atom/RSS alternates and the RSD EditURI. */
function renderHomePage(blog: Blog): string {
  const summaries = postsNewestFirst(blog)
    .slice(0, 10)
    .map(
      (post) =>
        `${entryAsset(blog, post, `<h2 class="asset-name entry-title"><a href="${entryUrlOf(blog, post)}" rel="bookmark">${escapeHtml(post.title)}</a></h2>`)}
`,
    )
    .join('');
  return `${htmlHead(blog, escapeHtml(blog.name))}    <link rel="EditURI" type="application/rsd+xml" title="RSD" href="${blog.origin}/rsd.xml" />
</head>
<body id="classic-blog" class="mt-main-index layout-wtt">
    <div id="container">
        <div id="container-inner">
${bannerHeader(blog)}            <div id="content">
                <div id="content-inner">
                    <div id="alpha">
                        <div id="alpha-inner">
${summaries}                            <div class="content-nav">
                                <a href="${blog.origin}/archives.html">Archiv</a>
                            </div>
                        </div>
                    </div>
                </div>
            </div>
        </div>
    </div>
</body>
</html>
`;
}

// MTEntryTrackbackData, as the entry template puts it in <head>.
function trackbackRdf(blog: Blog, post: DebatePost): string {
  const url = entryUrlOf(blog, post);
  return `<!--
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:trackback="http://madskills.com/public/xml/rss/module/trackback/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
<rdf:Description
    rdf:about="${url}"
    trackback:ping="${trackbackUrlOf(blog, post)}"
    dc:title="${encodeXml(post.title)}"
    dc:identifier="${url}"
    dc:subject="${encodeXml(post.categories[0] ?? '')}"
    dc:description="${encodeXml(excerpt(blog, post))}"
    dc:creator="${encodeXml(post.author)}"
    dc:date="${iso8601(post.date)}" />
</rdf:RDF>
-->`;
}

function renderComment(blog: Blog, post: DebatePost, comment: DebateComment, all: DebateComment[]): string {
  const url = comment.authorUrl ? blog.resolveLinks(comment.authorUrl) : null;
  const name = escapeHtml(comment.author);
  const author = url ? `<a class="fn url" href="${escapeHtml(url)}" rel="nofollow">${name}</a>` : `<span class="fn">${name}</span>`;
  const parent = comment.parentId ? all.find((c) => c.id === comment.parentId) : undefined;
  // MT 4.1+ threads by naming the parent, not by nesting.
  const reply = parent ? ` hat auf <a href="${commentUrlOf(blog, post, parent)}">den Kommentar von ${escapeHtml(parent.author)}</a> geantwortet` : '';
  return `        <div class="comment" id="comment-${comment.id}">
            <div class="inner">
                <div class="comment-header">
                    <div class="asset-meta">
                        <span class="byline">
                            <span class="vcard author">${author}</span>${reply}
                            | <a href="${commentUrlOf(blog, post, comment)}"><abbr class="published" title="${iso8601(comment.date)}">${displayDate(comment.date)}</abbr></a>
                            | <a title="Antworten" href="javascript:void(0);" onclick="mtReplyCommentOnClick(${comment.id}, '${escapeHtml(comment.author.replace(/'/g, "\\'"))}')">Antworten</a>
                        </span>
                    </div>
                </div>
                <div class="comment-content">
                    ${commentHtml(blog, comment)}
                </div>
            </div>
        </div>
`;
}

/** Renders an individual entry archive: the TrackBack RDF, the pings and the comments, all as HTML. */
function renderEntryPage(blog: Blog, post: DebatePost): string {
  const comments = mtComments(post);
  const pings = pingsOf(blog, post);
  const pingItems = pings
    .map(
      (ping) => `        <div class="trackback" id="ping-${ping.id}">
            <div class="inner">
                <div class="trackback-header">
                    <div class="asset-meta">
                        <a href="${escapeHtml(ping.url)}">${escapeHtml(ping.title)}</a> aus ${escapeHtml(ping.blogName)} am <a href="#ping-${ping.id}">${displayDate(ping.date)}</a>
                    </div>
                </div>
                <div class="trackback-content">
                    <p>
                        ${escapeHtml(ping.excerpt)} <a href="${escapeHtml(ping.url)}">Weiterlesen</a>
                    </p>
                </div>
            </div>
        </div>
`,
    )
    .join('');
  const commentItems = comments.map((c) => renderComment(blog, post, c, comments)).join('');
  return `${htmlHead(blog, `${escapeHtml(post.title)} - ${escapeHtml(blog.name)}`)}    ${trackbackRdf(blog, post)}
</head>
<body id="classic-blog" class="mt-entry-archive layout-wtt">
    <div id="container">
        <div id="container-inner">
${bannerHeader(blog)}            <div id="content">
                <div id="content-inner">
                    <div id="alpha">
                        <div id="alpha-inner">
${entryAsset(blog, post, `<h1 id="page-title" class="asset-name entry-title">${escapeHtml(post.title)}</h1>`)}

<div id="trackbacks" class="trackbacks">
    <h2 class="trackbacks-header">${pings.length === 0 ? 'Keine TrackBacks' : pings.length === 1 ? '1 TrackBack' : `${pings.length} TrackBacks`}</h2>
    <div class="trackbacks-info">
        <p>TrackBack-URL für diesen Eintrag: <span id="trackbacks-link">${trackbackUrlOf(blog, post)}</span></p>
    </div>
${pings.length ? `    <div class="trackbacks-content">\n${pingItems}    </div>\n` : ''}</div>

<div id="comments" class="comments">
${comments.length ? `    <h2 class="comments-header">${comments.length === 1 ? '1 Kommentar' : `${comments.length} Kommentare`}</h2>\n    <div id="comments-content" class="comments-content">\n${commentItems}    </div>\n` : ''}    <div class="comments-open" id="comments-open">
        <h2 class="comments-open-header">Kommentar schreiben</h2>
        <form method="post" action="${blog.origin}${cgiPath}/mt-comments.cgi" name="comments_form" id="comments-form">
            <input type="hidden" name="static" value="1" />
            <input type="hidden" name="entry_id" value="${post.id}" />
            <input type="hidden" name="parent_id" value="" id="comment-parent-id" />
        </form>
    </div>
</div>
                        </div>
                    </div>
                </div>
            </div>
        </div>
    </div>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------------------------
// HTTP

function send(res: http.ServerResponse, status: number, type: string, text: string, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(text, 'utf8');
  res.writeHead(status, { 'content-type': type, 'content-length': String(bytes.length), ...headers });
  res.end(bytes);
}

// Static files under Apache: typed by extension (atom.xml too is application/xml), Last-Modified,
// and 304 for an If-Modified-Since not older.
function sendStatic(req: http.IncomingMessage, res: http.ServerResponse, type: string, text: string, modified: string): void {
  const lastModified = new Date(Math.floor(Date.parse(modified) / 1000) * 1000).toUTCString();
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  if (!Number.isNaN(since) && since >= Date.parse(lastModified)) {
    res.writeHead(304, { 'last-modified': lastModified });
    res.end();
    return;
  }
  send(res, 200, type, text, { 'last-modified': lastModified });
}

// XMLRPC::Lite's answer to a method MT::XMLRPCServer does not have (pingback.* among them).
function xmlRpcUnknownMethod(method: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><methodResponse><fault><value><struct><member><name>faultString</name><value><string>Failed to locate method (${escapeHtml(method)}) in class (MT::XMLRPCServer)</string></value></member><member><name>faultCode</name><value><string>Client</string></value></member></struct></value></fault></methodResponse>`;
}

/** Starts a Movable Type fixture blog on a free port of `host` and resolves once it listens. */
export async function startMovableTypeBlog(options: MovableTypeBlogOptions): Promise<MovableTypeBlog> {
  const server = await startFixtureServer({}, { host: options.host ?? '127.0.0.1' });
  const blog: Blog = {
    origin: server.origin,
    id: options.blogId ?? 1,
    name: options.name ?? 'Markus’ Notizen',
    description: options.description ?? 'Über Netz, Medien und Barcamps',
    posts: options.posts,
    resolveLinks: options.resolveLinks ?? ((text) => text),
  };
  // Every published file changes when an entry, comment or ping does (MT rebuilds them all).
  const lastChange = (): string =>
    blog.posts
      .flatMap((p) => [p.modified, ...p.comments.map((c) => c.date)])
      .reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a), '1970-01-01T00:00:00Z');

  server.set('/', (req, res) => sendStatic(req, res, 'text/html', renderHomePage(blog), lastChange()));
  server.set('/index.html', (req, res) => sendStatic(req, res, 'text/html', renderHomePage(blog), lastChange()));
  server.set('/atom.xml', (req, res) => sendStatic(req, res, 'application/xml', renderAtom(blog), lastChange()));
  server.set('/index.xml', (req, res) => sendStatic(req, res, 'application/xml', renderRss(blog), lastChange()));
  server.set('/rsd.xml', (req, res) => sendStatic(req, res, 'application/xml', renderRsd(blog), lastChange()));
  server.set(`${cgiPath}/mt-xmlrpc.cgi`, (_req, res, bodyBytes) => {
    const method = /<methodName>\s*([^<\s]+)\s*<\/methodName>/.exec(bodyBytes.toString('utf8'))?.[1] ?? '';
    send(res, 200, 'text/xml', xmlRpcUnknownMethod(method));
  });
  for (const post of blog.posts) {
    server.set(new URL(entryUrlOf(blog, post)).pathname, (req, res) => sendStatic(req, res, 'text/html', renderEntryPage(blog, post), lastChange()));
    server.set(new URL(trackbackUrlOf(blog, post)).pathname, (req, res, form) => {
      const mode = new URL(req.url ?? '/', blog.origin).searchParams.get('__mode');
      const xml = mode === 'rss' ? trackbackResponse(undefined, renderTrackbackListing(blog, post)) : receivePing(blog, post, req, form);
      send(res, 200, 'text/xml; charset=utf-8', xml);
    });
  }
  // Without an id MT answers in the protocol, not with a 404.
  server.set(`${cgiPath}/mt-tb.cgi`, (_req, res) => send(res, 200, 'text/xml; charset=utf-8', trackbackResponse('TrackBack ID (tb_id) is required.')));

  return {
    origin: blog.origin,
    homeUrl: `${blog.origin}/`,
    server,
    entryUrl: (post) => entryUrlOf(blog, post),
    entryAtomId: (post) => entryAtomIdOf(blog, post),
    trackbackUrl: (post) => trackbackUrlOf(blog, post),
    commentUrl: (post, comment) => commentUrlOf(blog, post, comment),
    close: () => server.close(),
  };
}
