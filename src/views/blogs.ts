// The blog registry pages: the list with each blog's health and the registration form, and
// one blog's page with what discovery found, how polling goes, its entries and conversations.
import type { Blog, Conversation, EntryWithBlog, Source, AnsweredEntry, CommentGap } from '../domain/models.ts';
import type { Group } from '../domain/groups.ts';
import type { BlogHealth } from '../registry/health.ts';


import { timeElement, timeZoneName, type DateContext } from './dates.ts';
import { nameEntry } from './entry-names.ts';
import { displayUrl } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { formatCount, formatNumber, messagesFor, type Locale, type Messages } from './i18n.ts';
import { renderLayout, type FeedAlternate } from './layout.ts';
import { renderNumberedPager } from './pager.ts';
import { renderSubscribeLinks } from './subscribe.ts';

/** What the blog pages need beyond their data: the reader's language, a blog's conversations. */
export interface BlogPageOptions {
  locale?: Locale;
  conversations?: Conversation[];
  /** The blog's feeds in Palaver, for autodiscovery. */
  alternates?: FeedAlternate[];
  /** The zone the page shows times in; UTC by default. */
  timeZone?: string;
  /** What the blog's newest comments and pings are about, for naming them. */
  about?: Map<number, AnsweredEntry>;
  /** Posts reporting more comments than Palaver has; null when they could not be counted now (the page says so). */
  gaps?: CommentGap[] | null;
  /** The groups the blog belongs to (a blog's page names them and links their pages). */
  groups?: Pick<Group, 'slug' | 'title'>[];
  /** Keeps search engines off the page (a blog waiting for a moderator). */
  noindex?: boolean;
  /**
   * The page of the blog's sources its table shows, the blog's own feeds first, then its posts'
   * comment feeds (one a post: thousands for a blog followed long); the table shows `sources` when not given.
   */
  sourceTable?: { sources: Source[]; page: number; pageCount: number };
  /** /blogs is paged: where this page starts (after a blog id), where the next one does, how many there are. */
  pager?: { after: number | null; next: number | null; total: number };
  /** Sections after the registry on /blogs (suggested blogs, automatic follows). */
  extra?: SafeHtml[];
}

export interface BlogRow {
  blog: Blog;
  health: BlogHealth;
  /** Null when not counted now (the busy tally thread), or where nothing shows it (a blog's own page). */
  entryCount: number | null;
}

function whenIn(locale: Locale, timeZone: string) {
  return (iso: string | null, now: Date): SafeHtml | string => {
    if (!iso) return '—';
    const dates: DateContext = { locale, timeZone, now };
    return timeElement(iso, dates) || '—';
  };
}

/**
 * Shows a URL without its scheme, breakable after each slash so a narrow column never splits a
 * word; `exact` shows it as polled, scheme and trailing slash included ("…/feed" is another request).
 */
function breakableUrl(url: string, exact = false): SafeHtml {
  return html`${(exact ? url : displayUrl(url))
    .split('/')
    .map((part, i) => html`${i ? html`/<wbr>` : ''}${part}`)}`;
}

function registrationForm(form: { url?: string; error?: string }, t: Messages): SafeHtml {
  return html`<section id="register" class="register">
  <h2>${t.registerTitle}</h2>
  <form method="post" action="/blogs" novalidate>
    <label for="url">${t.registerLabel}</label>
    <div class="field">
      <input id="url" name="url" type="url" inputmode="url" autocomplete="url" required placeholder="https://example.org/"
        value="${form.url ?? ''}"${form.error ? html` aria-invalid="true" aria-describedby="url-error"` : ''}>
      <button type="submit">${t.registerButton}</button>
    </div>
    ${form.error ? html`<p id="url-error" class="error" role="alert">${form.error}</p>` : ''}
  </form>
  <p class="hint">${t.registerHint}</p>
</section>`;
}

/** Renders /blogs: the registry with health, and the registration form. */
export function renderBlogList(rows: BlogRow[], now: Date, form: { url?: string; error?: string } = {}, options: BlogPageOptions = {}): string {
  const locale = options.locale ?? 'en';
  const t = messagesFor(locale);
  const timeZone = options.timeZone ?? 'UTC';
  const when = whenIn(locale, timeZone);
  // On narrow screens each row becomes a card whose cells carry their column's name (palaver.css).
  const pager = options.pager;
  const table = rows.length
    ? html`<table class="blogs reflow">
  <caption>${formatCount(pager?.total ?? rows.length, t.registryCaption, locale)}</caption>
  <thead><tr><th scope="col">${t.colBlog}</th><th scope="col">${t.colStatus}</th><th scope="col">${t.colLastPoll}</th><th scope="col">${t.colNextCheck}</th><th scope="col" class="number">${t.colEntries}</th></tr></thead>
  <tbody>${rows.map(
    (r) => html`<tr>
    <th scope="row" data-label="${t.colBlog}"><a href="/blogs/${r.blog.id}">${r.blog.title ?? displayUrl(r.blog.homeUrl)}</a><br><small>${breakableUrl(r.blog.homeUrl)}</small></th>
    <td data-label="${t.colStatus}"><span class="status status-${r.health.status}">${t.status[r.health.status]}</span>${r.health.lastError ? html`<br><small class="error">${r.health.lastError}</small>` : ''}</td>
    <td data-label="${t.colLastPoll}">${when(r.health.lastCheckedAt, now)}</td>
    <td data-label="${t.colNextCheck}">${r.health.status === 'disabled' ? '—' : when(r.health.nextCheckAt, now)}</td>
    <td data-label="${t.colEntries}" class="number">${r.entryCount === null ? '–' : formatNumber(r.entryCount, locale)}</td>
  </tr>`,
  )}</tbody>
</table>`
    : html`<p>${t.noBlogs}</p>`;
  return renderLayout({
    title: form.error ? `${t.errorOther}: ${t.blogsTitle} – Palaver` : `${t.blogsTitle} – Palaver`,
    section: 'blogs',
    locale,
    switchHref: `/blogs?lang=${locale === 'de' ? 'en' : 'de'}`,
    timeZoneNote: rows.length ? t.timeZoneNote(timeZoneName(timeZone, locale)) : undefined,
    body: html`<h1>${t.blogsTitle}</h1>${registrationForm(form, t)}<p class="hint"><a href="/blogs/import">${t.importOpml}</a> · <a href="/blogs.opml">${t.exportOpml}</a></p><h2>${t.registry}</h2>${table}${
      pager && (pager.after !== null || pager.next !== null)
        ? html`<nav class="pager" aria-label="${t.pagerLabel}">${pager.after !== null ? html`<a href="/blogs">${t.firstPage}</a>` : html`<span></span>`}<span></span>${pager.next !== null ? html`<a href="/blogs?after=${pager.next}" rel="next">${t.laterPage}</a>` : html`<span></span>`}</nav>`
        : ''
    }${options.extra ?? ''}`,
  });
}

function endpoint(label: string, url: string | null, t: Messages): SafeHtml {
  return html`<dt>${label}</dt><dd>${url ? html`<a href="${url}" rel="nofollow ugc noopener">${url}</a>` : html`<span class="none">${t.notFound}</span>`}</dd>`;
}

/** Renders /blogs/:id: health, discovery results, poll status per source, entries and conversations. */
export function renderBlogPage(row: BlogRow, sources: Source[], entries: EntryWithBlog[], now: Date, notice?: string, options: BlogPageOptions = {}): string {
  const locale = options.locale ?? 'en';
  const t = messagesFor(locale);
  const timeZone = options.timeZone ?? 'UTC';
  const when = whenIn(locale, timeZone);
  const { blog, health } = row;
  const name = blog.title ?? displayUrl(blog.homeUrl);
  const conversations = options.conversations ?? [];
  // null (not counted now) is kept apart from none missing.
  const gaps = options.gaps === undefined ? [] : options.gaps;
  const body = html`<h1>${name}</h1>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<p><a href="${blog.homeUrl}" rel="nofollow ugc noopener">${blog.homeUrl}</a></p>
${blog.description ? html`<p class="lede">${blog.description}</p>` : ''}
${options.groups?.length ? html`<p class="groups-of-blog">${t.blogInGroups}: ${options.groups.map((g, i) => html`${i ? ', ' : ''}<a href="/g/${g.slug}">${g.title}</a>`)}</p>` : ''}
${renderSubscribeLinks(`/blogs/${blog.id}`, t.subscribeBlog)}
<section aria-labelledby="health">
  <h2 id="health">${t.health}</h2>
  <dl class="facts">
    <dt>${t.colStatus}</dt><dd><span class="status status-${health.status}">${t.status[health.status]}</span></dd>
    <dt>${t.lastPoll}</dt><dd>${when(health.lastCheckedAt, now)}</dd>
    <dt>${t.lastSuccess}</dt><dd>${when(health.lastSuccessAt, now)}</dd>
    <dt>${t.nextCheck}</dt><dd>${health.status === 'disabled' ? '—' : when(health.nextCheckAt, now)}</dd>
    ${health.lastError ? html`<dt>${t.lastError}</dt><dd class="error">${health.lastError}${health.lastErrorAt ? html` (${when(health.lastErrorAt, now)})` : ''}</dd>` : ''}
  </dl>
</section>
<section aria-labelledby="conversations">
  <h2 id="conversations">${t.conversationsOfBlog}</h2>
  ${conversations.length
    ? html`<ol class="entries compact">${conversations.map(
        (c) => html`<li><a href="/c/${c.id}">${c.title || t.untitled}</a> <small>${formatCount(c.entryCount, t.entries, locale)} · ${formatCount(c.blogCount, t.blogs, locale)}${c.lastActivityAt ? html` · ${t.lastActivity} ${when(c.lastActivityAt, now)}` : ''}</small></li>`,
      )}</ol>`
    : html`<p>${t.noConversations}</p>`}
</section>
${gaps === null || gaps.length
  ? html`<section aria-labelledby="missing">
  <h2 id="missing">${t.missingComments}</h2>
  ${gaps === null
    ? html`<p class="notice" role="status">${t.missingCounting}</p>`
    : html`<p class="notice missing" role="note">${t.missing(gaps.reduce((n, g) => n + g.missing, 0), formatNumber(gaps.reduce((n, g) => n + g.missing, 0), locale))}</p>
  <ul class="entries compact">${gaps.map(
    (g) => html`<li>${g.conversationId !== null ? html`<a href="/c/${g.conversationId}">${g.title || g.url || t.untitled}</a>` : html`<a href="${g.url ?? '#'}" rel="nofollow ugc noopener">${g.title || g.url || t.untitled}</a>`} <small>${t.missingOfPost(formatNumber(g.missing, locale), formatNumber(g.reported, locale))}${g.note ? html` · ${g.note}` : ''}</small></li>`,
  )}</ul>`}
</section>`
  : ''}
<section aria-labelledby="entries">
  <h2 id="entries">${t.newestEntries}</h2>
  ${entries.length
    ? html`<ol class="entries compact">${entries.map(
        (e) => {
          const name = nameEntry(e, options.about?.get(e.id), t);
          // A comment's or ping's name says who wrote it; a post's byline names its author.
          const byline = e.kind === 'post' && e.authorName ? html` · ${e.authorName}` : '';
          return html`<li${e.lang ? html` lang="${e.lang}"` : ''}>${e.conversationId !== null && e.sameAsId === null ? html`<a href="/c/${e.conversationId}#e-${e.id}">${name}</a>` : html`<a href="${e.url ?? '#'}" rel="nofollow ugc noopener">${name}</a>`} <small lang="${locale}">${t.kind[e.kind] ?? e.kind}${byline} · ${when(e.sortAt, now)}${e.tombstonedAt ? html` · ${t.goneAt}` : ''}</small></li>`;
        },
      )}</ol>`
    : html`<p>${t.noEntries}</p>`}
</section>
<section aria-labelledby="found">
  <h2 id="found">${t.found}</h2>
  <dl class="facts">
    ${sources.filter((s) => s.kind === 'feed' || s.kind === 'site-comments').map((s) => endpoint(t.sourceKind[s.kind] ?? s.kind, s.url, t))}
    ${endpoint(t.pingbackEndpoint, blog.pingbackEndpoint, t)}
    ${endpoint(t.webmentionEndpoint, blog.webmentionEndpoint, t)}
    ${endpoint(t.rsdDocument, blog.rsdUrl, t)}
    ${endpoint(t.trackbackPingUrl, blog.trackbackPingUrl, t)}
    ${blog.apiRootUrl ? html`${endpoint(t.restApi, blog.apiRootUrl, t)}${blog.apiOffReason ? html`<dd class="error">${t.restApiOff(blog.apiOffReason)}</dd>` : ''}` : ''}
  </dl>
  ${blog.discoveryNotes.length ? html`<p class="hint">${t.discoveryNotesIntro}</p><ul class="notes" lang="en">${blog.discoveryNotes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
</section>
<section aria-labelledby="sources">
  <h2 id="sources">${t.sources}</h2>
  <table class="sources reflow">
    <thead><tr><th scope="col">${t.colSource}</th><th scope="col">${t.colLastPoll}</th><th scope="col">${t.colAnswer}</th><th scope="col">${t.colNextCheck}</th></tr></thead>
    <tbody>${(options.sourceTable?.sources ?? sources).map(
      (s) => html`<tr>
      <th scope="row" data-label="${t.colSource}">${t.sourceKind[s.kind] ?? s.kind}<br><small><a href="${s.url}" rel="nofollow ugc noopener">${breakableUrl(s.url, true)}</a></small></th>
      <td data-label="${t.colLastPoll}">${when(s.lastCheckedAt, now)}</td>
      <td data-label="${t.colAnswer}">${s.disabledAt ? html`<span class="error">${t.stopped}: ${s.disabledReason ?? ''}</span>` : s.lastError ? html`<span class="error">${s.lastError}</span>` : s.lastStatus ? html`<span class="nowrap">HTTP ${s.lastStatus}</span>` : '—'}${s.gapNote ? html`<br><small class="error">${s.gapNote}</small>` : ''}${s.itemsSkipped > 0 ? html`<br><small class="skipped">${t.itemsSkipped(s.itemsSkipped, formatNumber(s.itemsSkipped, locale))}</small>` : ''}</td>
      <td data-label="${t.colNextCheck}">${s.disabledAt ? '—' : when(s.nextCheckAt, now)}</td>
    </tr>`,
    )}</tbody>
  </table>
  ${options.sourceTable ? renderNumberedPager(options.sourceTable.page, options.sourceTable.pageCount, (page) => `/blogs/${blog.id}?sources=${page}#sources`, t, locale) : ''}
</section>`;
  return renderLayout({
    title: `${name} – Palaver`,
    section: 'blogs',
    locale,
    switchHref: `/blogs/${blog.id}?lang=${locale === 'de' ? 'en' : 'de'}`,
    body,
    alternates: options.alternates,
    timeZoneNote: t.timeZoneNote(timeZoneName(timeZone, locale)),
    ...(options.noindex ? { head: html`<meta name="robots" content="noindex, nofollow">` } : {}),
  });
}
