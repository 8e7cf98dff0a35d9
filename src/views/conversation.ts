// The conversation page: the same entries as a timeline (time order) or a thread (replies under
// what they answer), with a header of blogs, counts, feeds and how to join. Marked up as an
// mf2 h-feed of h-entries. Foreign content is the ingest sanitizer's output, never raw.
import type { Conversation, ConversationEntry } from '../domain/models.ts';
import { feedLinks } from '../feeds/feed-urls.ts';
import { calendarDaysBetween, dayKey, formatDay, timeElement, timeZoneName, type DateContext } from './dates.ts';
import { assignBlogMarks, type BlogMark } from './blog-marks.ts';
import { blogName, findAbout, nameEntry } from './entry-names.ts';
import { renderJoinFacts } from './join.ts';
import { html, trustedHtml, type SafeHtml } from './html.ts';
import { renderNumberedPager } from './pager.ts';
import { formatCount, formatNumber, messagesFor, type Locale, type Messages } from './i18n.ts';
import { renderLayout } from './layout.ts';
import { renderPingLinks, renderTrackbackRdf } from './ping-discovery.ts';
import { buildReplyForest, walkReplyForest } from '../threading/reply-forest.ts';

export type ConversationViewMode = 'timeline' | 'thread';

export interface ConversationView {
  conversation: Conversation;
  entries: ConversationEntry[];
  now: Date;
  publicUrl: string;
  locale?: Locale;
  view?: ConversationViewMode;
  /** The zone the page shows times in (the reader's, else the configured one); UTC by default. */
  timeZone?: string;
  /** One page of a conversation cut into pages; without it, every entry on one page. */
  layout?: ConversationLayout;
  /** The blogs' colours and letters over the whole conversation (as its map draws them); without it, this page's. */
  marks?: Map<number, BlogMark>;
  /** The debate map, drawn above the entries. */
  map?: SafeHtml;
  /** What follows the map: the sites that joined without being followed. */
  alsoInDebate?: SafeHtml;
}

export interface ConversationLayout {
  /** This page's entries in the view's order, with their depth in the thread. */
  steps: { id: number; depth: number }[];
  page: number;
  pageCount: number;
  /** The page an entry of the conversation is on. */
  pageOf: (id: number) => number | undefined;
  /** How many reply circles the thread broke (over the whole conversation). */
  cycleCount: number;
}

const outbound = 'nofollow ugc noopener';
// Content longer than this (in HTML characters) is folded behind "read more".
const foldAboveChars = 1800;
// Thread indentation stops here so replies stay readable at 320 px; deeper replies line up.
const maxDepth = 5;

interface RenderContext {
  view: ConversationView;
  locale: Locale;
  t: Messages;
  dates: DateContext;
  byId: Map<number, ConversationEntry>;
  marks: Map<number, BlogMark>;
  /** Where an entry is: `#e-<id>` on this page, or the page it is on. */
  anchorOf: (id: number) => string;
}

/** Names an entry of this page as the feeds do ("Martin on 'Idee: ein Social Media Camp'"). */
function nameOf(e: ConversationEntry, ctx: RenderContext): string {
  return nameEntry(e, findAbout(e, ctx.byId), ctx.t);
}

function renderContent(e: ConversationEntry, ctx: RenderContext): SafeHtml {
  const { t } = ctx;
  if (e.tombstonedAt) {
    return html`<p class="gone">${t.gone} ${timeElement(e.tombstonedAt, ctx.dates, { className: 'dt-deleted' })}</p>`;
  }
  const content = e.contentHtml ? trustedHtml(e.contentHtml) : e.excerpt ? html`<p>${e.excerpt}</p>` : html``;
  if (!e.contentHtml || e.contentHtml.length <= foldAboveChars || !e.excerpt) {
    return html`<div class="content e-content">${content}</div>`;
  }
  // <details> folds without JavaScript; the preview hides once it is open (palaver.css).
  return html`<div class="fold"><p class="preview">${e.excerpt}</p><details><summary>${t.readMore}<span class="visually-hidden">: ${nameOf(e, ctx)}</span></summary><div class="content e-content">${content}</div></details></div>`;
}

function renderEntry(e: ConversationEntry, ctx: RenderContext): SafeHtml {
  const { t, view } = ctx;
  const mark = e.blog ? ctx.marks.get(e.blog.id) : undefined;
  const parent = e.inReplyToId !== null ? ctx.byId.get(e.inReplyToId) : undefined;
  const ownUrl = `${view.publicUrl}/e/${e.id}`;
  const kind = t.kind[e.kind] ?? e.kind;
  const author = e.authorName
    ? html`<span class="p-author h-card">${e.authorUrl ? html`<a class="p-name u-url" href="${e.authorUrl}" rel="${outbound}">${e.authorName}</a>` : html`<span class="p-name">${e.authorName}</span>`}</span>`
    : html`<span class="p-author h-card"><span class="p-name">${e.blog ? blogName(e.blog) : t.someone}</span></span>`;
  const heading =
    e.kind === 'post' && e.title
      ? html`<h2 class="entry-title p-name">${e.url ? html`<a href="${e.url}" rel="${outbound}">${e.title}</a>` : e.title}</h2>`
      : html`<h2 class="visually-hidden">${nameOf(e, ctx)}</h2>`;
  return html`<article class="entry h-entry kind-${e.kind}${mark ? ` blog-c${mark.colour}` : ' blog-none'}${e.tombstonedAt ? ' tombstone' : ''}" id="e-${e.id}"${e.lang ? html` lang="${e.lang}"` : ''}>
<p class="meta"><span class="mark" aria-hidden="true">${mark?.letter ?? '↗'}</span>${mark ? html`<a class="blog" href="/blogs/${mark.id}">${mark.name}</a>` : ''}<span class="kind">${kind}</span></p>
${heading}
<p class="byline">${author} · <a class="stamp" href="#e-${e.id}">${timeElement(e.sortAt, ctx.dates, { className: 'dt-published' })}</a></p>
${parent ? html`<p class="in-reply-to">${t.inReplyTo} <a href="${ctx.anchorOf(parent.id)}">${nameOf(parent, ctx)}</a>${parent.blog && parent.blog.id !== e.blog?.id ? html` <span class="reply-blog">(${blogName(parent.blog)})</span>` : ''}<data class="u-in-reply-to" value="${parent.url ?? `${view.publicUrl}/e/${parent.id}`}"></data></p>` : ''}
${renderContent(e, ctx)}
<p class="via">${t.via} ${e.via.map((v, i) => html`${i ? ', ' : ''}<span class="channel channel-${v}">${t.channel[v] ?? v}</span>`)}${e.url ? html` · <a class="u-url" href="${e.url}" rel="${outbound}">${t.original}</a>` : html`<data class="u-url" value="${ownUrl}"></data>`} · <a href="/e/${e.id}">${t.permalink}</a></p>
${
  // One TrackBack RDF per page: the root's (a ping to the conversation answers it). Every other
  // entry carries its own on its page (/e/:id), which keeps a 500-entry page lean.
  e.id === view.conversation.rootEntryId ? renderTrackbackRdf({ pageUrl: ownUrl, title: nameOf(e, ctx), pingUrl: `${view.publicUrl}/trackback/${e.id}` }) : ''
}
</article>`;
}

/**
 * Lists entries in time order with a separator before each new day (in the page's zone), which
 * says how many days passed when the debate paused, so gaps show at a glance.
 */
function renderTimeline(entries: ConversationEntry[], ctx: RenderContext): SafeHtml {
  const { dates, t, locale } = ctx;
  let previous: Date | null = null;
  let previousDay = '';
  return html`<ol class="timeline">${entries.map((e) => {
    const at = new Date(e.sortAt);
    if (Number.isNaN(at.getTime())) return html`<li>${renderEntry(e, ctx)}</li>`;
    const day = dayKey(at, dates.timeZone);
    let separator: SafeHtml | string = '';
    if (day !== previousDay) {
      const gap = previous ? calendarDaysBetween(previous, at, dates.timeZone) : 0;
      separator = html`<li class="day"><p class="day-heading"><time datetime="${day}">${formatDay(at, dates)}</time>${gap > 1 ? html` <span class="gap">· ${t.daysLater(gap, formatNumber(gap, locale))}</span>` : ''}</p></li>`;
      previousDay = day;
    }
    previous = at;
    return html`${separator}<li>${renderEntry(e, ctx)}</li>`;
  })}</ol>`;
}

/**
 * Draws entries given in pre-order with their depths as nested lists: each reply inside what it
 * answers, down to maxDepth, where deeper replies line up. Iterative, so a reply chain of any
 * length costs no stack.
 */
function renderNested(steps: { entry: ConversationEntry; depth: number }[], ctx: RenderContext): SafeHtml {
  const out: string[] = ['<ol class="thread depth-0">'];
  // openItem[level]: whether an <li> is open in the list at that level.
  const openItem: boolean[] = [false];
  let level = 0;
  for (const { entry, depth: rawDepth } of steps) {
    const depth = Math.min(rawDepth, maxDepth);
    while (level > depth) {
      if (openItem[level]) out.push('</li>');
      out.push('</ol>');
      level -= 1;
    }
    if (level === depth && openItem[level]) out.push('</li>');
    while (level < depth) {
      // A page that starts inside a thread opens the levels above its first entry empty.
      if (!openItem[level]) out.push('<li class="continued">');
      openItem[level] = true;
      level += 1;
      out.push(`<ol class="thread depth-${level}">`);
      openItem[level] = false;
    }
    out.push('<li>', renderEntry(entry, ctx).value);
    openItem[level] = true;
  }
  for (; level >= 0; level--) {
    if (openItem[level]) out.push('</li>');
    out.push('</ol>');
  }
  return trustedHtml(out.join(''));
}

/** Lays out every given entry on one page: time order, or the reply forest for the thread. */
function wholeLayout(entries: ConversationEntry[], mode: ConversationViewMode): ConversationLayout {
  const forest = buildReplyForest(entries);
  const steps = mode === 'thread' ? walkReplyForest(forest) : entries.map((e) => ({ id: e.id, depth: 0 }));
  const ids = new Set(entries.map((e) => e.id));
  return { steps, page: 1, pageCount: 1, pageOf: (id) => (ids.has(id) ? 1 : undefined), cycleCount: forest.cycleBreaks.length };
}

/** Renders one conversation (or one page of it) as a timeline or a thread. */
export function renderConversation(view: ConversationView): string {
  const locale = view.locale ?? 'en';
  const t = messagesFor(locale);
  const mode = view.view ?? 'timeline';
  const c = view.conversation;
  const dates: DateContext = { locale, timeZone: view.timeZone ?? 'UTC', now: view.now };
  const byId = new Map(view.entries.map((e) => [e.id, e]));
  const layout = view.layout ?? wholeLayout(view.entries, mode);
  const shown = layout.steps.map((s) => ({ entry: byId.get(s.id)!, depth: s.depth })).filter((s) => s.entry !== undefined);
  const base = `/c/${c.id}`;
  const pageHref = (page: number) => {
    const query = [mode === 'thread' ? 'view=thread' : '', page > 1 ? `page=${page}` : ''].filter(Boolean).join('&');
    return `${base}${query ? `?${query}` : ''}`;
  };
  const anchorOf = (id: number) => {
    const page = layout.pageOf(id);
    return page === undefined || page === layout.page ? `#e-${id}` : `${pageHref(page)}#e-${id}`;
  };
  const ctx: RenderContext = { view, locale, t, dates, byId, marks: view.marks ?? assignBlogMarks(shown.map((s) => s.entry)), anchorOf };
  const title = c.title || t.untitled;
  const feeds = feedLinks('', { kind: 'conversation', id: c.id });
  const viewLink = (m: ConversationViewMode, label: string) =>
    html`<a href="${m === 'thread' ? `${base}?view=thread` : base}"${mode === m ? html` aria-current="page"` : ''}>${label}</a>`;

  const header = html`<header class="conversation-head">
<h1 class="p-name">${title}</h1>
<p class="counts">${formatCount(c.postCount, t.posts, locale)} · ${formatCount(c.commentCount, t.comments, locale)} · ${formatCount(c.linkbackCount, t.linkbacks, locale)} · ${formatCount(c.blogCount, t.blogs, locale)}</p>
<p class="activity">${c.firstActivityAt ? html`${t.started} ${timeElement(c.firstActivityAt, dates, { withTime: false })}` : ''}${c.lastActivityAt ? html` · ${t.lastActivity} ${timeElement(c.lastActivityAt, dates, { withTime: false })}` : ''}</p>
${ctx.marks.size ? html`<ul class="participants" aria-label="${t.takingPart}">${[...ctx.marks.values()].map((m) => html`<li class="blog-c${m.colour}"><span class="mark" aria-hidden="true">${m.letter}</span><a href="/blogs/${m.id}">${m.name}</a> <small>${formatCount(m.entries, t.entries, locale)}</small></li>`)}</ul>` : ''}
${c.missingCount > 0 ? html`<p class="notice missing" role="note">${t.missing(c.missingCount, formatNumber(c.missingCount, locale))}</p>` : ''}
${layout.cycleCount ? html`<p class="notice cycle" role="note">${t.replyCycles(layout.cycleCount, formatNumber(layout.cycleCount, locale))}</p>` : ''}
<div class="toolbar">
<nav class="views" aria-label="${t.views}">${viewLink('timeline', t.timeline)}${viewLink('thread', t.thread)}</nav>
<p class="feeds">${t.subscribe}: ${feeds.map((f, i) => html`${i ? ' · ' : ''}<a href="${f.href}" type="${f.type}">${f.label}</a>`)}</p>
</div>
</header>`;

  const list = mode === 'thread' ? renderNested(shown, ctx) : renderTimeline(shown.map((s) => s.entry), ctx);
  const pager = renderNumberedPager(layout.page, layout.pageCount, pageHref, t, locale);

  const aside = html`<aside class="join">
<section>
<h2>${t.subscribe}</h2>
<p>${t.subscribeText} ${feeds.map((f, i) => html`${i ? ' · ' : ''}<a href="${view.publicUrl}${f.href}" type="${f.type}">${f.label}</a>`)}</p>
</section>
<section>
<h2>${t.join}</h2>
<p>${t.joinText}</p>
${renderJoinFacts(
  [
    { id: 'join-pingback', label: 'Pingback', value: `${view.publicUrl}/xmlrpc` },
    { id: 'join-webmention', label: 'Webmention', value: `${view.publicUrl}/webmention` },
    // A TrackBack goes to one entry: a ping to the root answers the conversation.
    ...(c.rootEntryId !== null ? [{ id: 'join-trackback', label: t.trackbackOfRoot, value: `${view.publicUrl}/trackback/${c.rootEntryId}` }] : []),
  ],
  t,
)}
</section>
</aside>`;

  const other: Locale = locale === 'de' ? 'en' : 'de';
  return renderLayout({
    title: `${title} · Palaver`,
    section: 'home',
    locale,
    switchHref: `${base}?${mode === 'thread' ? 'view=thread&' : ''}${layout.page > 1 ? `page=${layout.page}&` : ''}lang=${other}`,
    head: html`${renderPingLinks(view.publicUrl)}${feeds.map((f) => html`<link rel="alternate" type="${f.type}" href="${f.href}" title="${title} (${f.label})">\n`)}`,
    body: html`<div class="h-feed">${header}${view.map ?? ''}${pager}${list}${pager}</div>${view.alsoInDebate ?? ''}${aside}`,
    timeZoneNote: t.timeZoneNote(timeZoneName(dates.timeZone, locale)),
  });
}
