// The home page: conversations, best ranked first, each with its blogs, counts, activity and a
// line from its newest entry; the search box and its results; or a first-run page pointing to
// registration and the demo.
import { type BlogRef, type Conversation, type ConversationActivity, type EntryWithBlog, type SearchHit, snippetMarks, type AnsweredEntry } from '../domain/models.ts';

import { timeElement, timeZoneName, type DateContext } from './dates.ts';
import { nameEntry } from './entry-names.ts';
import { displayUrl } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { formatCount, formatNumber, messagesFor, type Locale, type Messages } from './i18n.ts';
import { renderLayout, type FeedAlternate } from './layout.ts';
import { renderSubscribeLinks } from './subscribe.ts';
import { renderActivitySparkline } from './debate-map/sparkline.ts';

export interface HomeView {
  conversations: Conversation[];
  newest: Map<number, EntryWithBlog>;
  blogs: Map<number, BlogRef[]>;
  blogCount: number;
  now: Date;
  page: number;
  hasMore: boolean;
  locale?: Locale;
  /** Set when the reader searched: what they typed and what was found. */
  search?: { query: string; hits: SearchHit[]; about?: Map<number, AnsweredEntry> };
  /** The zone the page shows times in; UTC by default. */
  timeZone?: string;
  /** The feeds of everything, for autodiscovery. */
  alternates?: FeedAlternate[];
  /** Each conversation's activity per day and its blogs, drawn small beside it. */
  activity?: Map<number, ConversationActivity>;
}

// More blog names than this in one line become "and n more".
const namedBlogs = 4;

/** Renders the search form; a group page searches its own conversations (`action`, `label`). */
export function searchForm(t: Messages, query: string, options: { action?: string; label?: string } = {}): SafeHtml {
  return html`<form class="search" role="search" method="get" action="${options.action ?? '/'}">
<label for="q">${options.label ?? t.searchLabel}</label>
<div class="field"><input id="q" name="q" type="search" value="${query}" placeholder="${t.searchPlaceholder}" maxlength="200"><button type="submit">${t.searchButton}</button></div>
</form>`;
}

/** Renders a snippet: escaped text with the matched words in <mark>. */
function renderSnippet(snippet: string): SafeHtml {
  const parts = snippet.split(snippetMarks.start);
  return html`${parts.map((part, i) => {
    if (i === 0) return part;
    const end = part.indexOf(snippetMarks.end);
    return end < 0 ? part : html`<mark>${part.slice(0, end)}</mark>${part.slice(end + 1)}`;
  })}`;
}

/** Renders the hits of a search, each with its conversation. */
export function renderResults(search: NonNullable<HomeView['search']>, t: Messages, locale: Locale, dates: DateContext): SafeHtml {
  if (!search.query.trim()) return html`<p>${t.searchTooShort}</p>`;
  return html`<section class="results" aria-labelledby="results-title">
<h2 id="results-title">${t.searchResultsTitle(search.query)}</h2>
${search.hits.length
  ? html`<ol class="hits">${search.hits.map(
      (h) => html`<li${h.lang ? html` lang="${h.lang}"` : ''}>
<h3><a href="/c/${h.conversationId}#e-${h.entryId}">${nameEntry({ id: h.entryId, kind: h.kind, title: h.title, authorName: h.authorName, blog: h.blog }, search.about?.get(h.entryId), t)}</a></h3>
<p class="meta" lang="${locale}">${[
  // A comment's or ping's name says who wrote it already; a post's byline does not.
  h.kind === 'post' ? h.authorName : t.kind[h.kind] ?? h.kind,
  h.blog ? h.blog.title ?? displayUrl(h.blog.homeUrl) : null,
].filter(Boolean).map((part) => html`${part} · `)}${timeElement(h.sortAt, dates)} · ${t.inConversation} <a href="/c/${h.conversationId}">${h.conversationTitle || t.untitled}</a></p>
${h.snippet ? html`<p class="excerpt">${renderSnippet(h.snippet)}</p>` : ''}
</li>`,
    )}</ol>`
  : html`<p>${t.searchNoResults}</p>`}
</section>`;
}

/** What a list of ranked conversations shows: each with its blogs, counts, activity and newest entry. */
export interface ConversationListView {
  conversations: Conversation[];
  newest: Map<number, EntryWithBlog>;
  blogs: Map<number, BlogRef[]>;
  locale: Locale;
  dates: DateContext;
  /** More lines under a conversation (a group page names the blogs that joined from outside). */
  extra?: (c: Conversation) => SafeHtml | string;
  /** Each conversation's activity per day and its blogs, drawn small under its title. */
  activity?: Map<number, ConversationActivity>;
}

/** Renders ranked conversations as the home page lists them (group pages list theirs the same way). */
export function renderConversationList(view: ConversationListView): SafeHtml {
  const { locale, dates } = view;
  const t = messagesFor(locale);
  return html`<ol class="conversations">${view.conversations.map((c) => {
    const newest = view.newest.get(c.id);
    const blogs = view.blogs.get(c.id) ?? [];
    const named = blogs.slice(0, namedBlogs);
    const activity = view.activity?.get(c.id);
    return html`<li><article class="conversation-summary">
  <h2><a href="/c/${c.id}">${c.title || t.untitled}</a></h2>
  ${activity ? renderActivitySparkline(activity, locale) : ''}
  <p class="meta blogs-line">${formatCount(c.blogCount, t.blogs, locale)}: ${named.map((b, i) => html`${i ? ', ' : ''}<a href="/blogs/${b.id}">${b.title ?? displayUrl(b.homeUrl)}</a>`)}${blogs.length > namedBlogs ? ` +${formatNumber(blogs.length - namedBlogs, locale)}` : ''}</p>
  <p class="meta counts">${formatCount(c.postCount, t.posts, locale)} · ${formatCount(c.commentCount, t.comments, locale)} · ${formatCount(c.linkbackCount, t.linkbacks, locale)}</p>
  <p class="meta activity">${c.firstActivityAt ? html`${t.started} ${timeElement(c.firstActivityAt, dates, { withTime: false })}` : ''}${c.lastActivityAt ? html` · ${t.lastActivity} ${timeElement(c.lastActivityAt, dates, { withTime: false })}` : ''}</p>
  ${view.extra?.(c) ?? ''}${newest?.excerpt ? html`<p class="excerpt"${newest.lang ? html` lang="${newest.lang}"` : ''}>${newest.authorName ? html`<span class="author">${newest.authorName}:</span> ` : ''}${newest.excerpt}</p>` : ''}
</article></li>`;
  })}</ol>`;
}

/** Renders the home page. */
export function renderHome(view: HomeView): string {
  const locale = view.locale ?? 'en';
  const t = messagesFor(locale);
  const other: Locale = locale === 'de' ? 'en' : 'de';
  const dates: DateContext = { locale, timeZone: view.timeZone ?? 'UTC', now: view.now };
  const intro =
    view.blogCount === 0
      ? html`<section class="empty">
  <h1>${t.emptyTitle}</h1>
  <p>${t.emptyText}</p>
  <p>${t.emptyHowTo} <code class="command">npx palaver demo</code>.</p>
  <p><a href="/blogs#register">${t.registerTitle}</a></p>
</section>`
      : html`<h1>${t.homeTitle}</h1>
<p class="lede">${t.homeLede(formatCount(view.blogCount, t.registeredBlogs, locale))}</p>
${renderSubscribeLinks('', t.subscribeEverything)}`;

  const list = view.conversations.length
    ? renderConversationList({ conversations: view.conversations, newest: view.newest, blogs: view.blogs, activity: view.activity, locale, dates })
    : view.blogCount > 0
      ? html`<p>${t.nothingYet}</p>`
      : '';

  const pageHref = (page: number) => (page <= 1 ? '/' : `/?page=${page}`);
  const pager =
    view.page > 1 || view.hasMore
      ? html`<nav class="pager" aria-label="${t.pagerLabel}">${view.page > 1 ? html`<a href="${pageHref(view.page - 1)}" rel="prev">${t.newer}</a>` : html`<span></span>`}<span class="page-number">${t.pageOf(formatNumber(view.page, locale))}</span>${view.hasMore ? html`<a href="${pageHref(view.page + 1)}" rel="next">${t.older}</a>` : html`<span></span>`}</nav>`
      : '';

  const query = view.search?.query ?? '';
  const body = view.search
    ? html`<h1>${t.homeTitle}</h1>${searchForm(t, query)}${renderResults(view.search, t, locale, dates)}`
    : html`${intro}${view.blogCount > 0 ? searchForm(t, '') : ''}${list}${pager}`;
  const switchQuery = view.search ? `q=${encodeURIComponent(query)}&` : view.page > 1 ? `page=${view.page}&` : '';
  return renderLayout({ title: view.search ? `${t.searchResultsTitle(query)} – Palaver` : 'Palaver', section: 'home', locale, switchHref: `/?${switchQuery}lang=${other}`, body, alternates: view.alternates, timeZoneNote: view.blogCount > 0 ? t.timeZoneNote(timeZoneName(dates.timeZone, locale)) : undefined });
}
