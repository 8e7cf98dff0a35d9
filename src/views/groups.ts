// The pages of groups: /groups (every group, newest first) and /g/:slug (what the group is
// about, its event's dates and programme, its conversations ranked as on the home page with the
// blogs that joined from outside, the same search as the home page limited to the group, and
// its blogs with their health).
import type { Group, GroupSummary, OutsideParticipants } from '../domain/groups.ts';
import type { AnsweredEntry, Blog, BlogRef, Conversation, ConversationActivity, EntryWithBlog, SearchHit } from '../domain/models.ts';
import type { EventPhase } from '../domain/groups.ts';
import type { BlogHealth } from '../registry/health.ts';
import { timeElement, timeZoneName, type DateContext } from './dates.ts';
import { displayUrl } from './format.ts';
import { formatEventDay, formatEventRange, renderOutside, renderProgramme, type ProgrammeDay, type ProgrammePager } from './group-programme.ts';
import { groupWordsFor } from './group-words.ts';
import { renderConversationList, renderResults, searchForm } from './home.ts';
import { html, type SafeHtml } from './html.ts';
import { formatCount, formatNumber, messagesFor, type Locale } from './i18n.ts';
import { renderLayout, type FeedAlternate } from './layout.ts';
import { renderSubscribeLinks } from './subscribe.ts';

/** A member of a group as its page lists it. */
export interface GroupMemberRow {
  blog: Blog;
  health: BlogHealth;
  /** Whether it posted during the event (null for a group that is no event, or one not begun). */
  posted: boolean | null;
}

export interface GroupPageView {
  group: Group;
  phase: EventPhase | null;
  /** One page of the members. */
  members: GroupMemberRow[];
  memberCount: number;
  membersPager: { previousHref: string | null; nextHref: string | null };
  conversations: Conversation[];
  conversationCount: number;
  newest: Map<number, EntryWithBlog>;
  blogs: Map<number, BlogRef[]>;
  outside: Map<number, OutsideParticipants>;
  /** Each conversation's activity per day and its blogs, drawn small as on the home page. */
  activity?: Map<number, ConversationActivity>;
  /** The days of the event so far (all of them once it is over); null when there is none to show. */
  programme: ProgrammeDay[] | null;
  programmePager?: ProgrammePager;
  /** How many of the event's days have begun. */
  daysSoFar: number;
  page: number;
  hasMore: boolean;
  search?: { query: string; hits: SearchHit[]; about?: Map<number, AnsweredEntry> };
  now: Date;
  locale: Locale;
  timeZone: string;
  alternates: FeedAlternate[];
}

function eventLine(view: GroupPageView): SafeHtml | string {
  const { group, locale } = view;
  if (!group.event || !view.phase) return '';
  const g = groupWordsFor(locale);
  const days = Math.max(1, view.daysSoFar);
  const total = Math.round((Date.parse(group.event.endsAt) - Date.parse(group.event.startsAt)) / 86_400_000);
  const state =
    view.phase === 'upcoming'
      ? g.upcoming(formatEventDay(group.event.startsOn, locale))
      : view.phase === 'running'
        ? g.running(formatNumber(days, locale), formatNumber(total, locale))
        : html`${g.over} · <a href="/g/${group.slug}/summary">${g.summaryLink}</a>`;
  return html`<p class="meta event">${g.event(formatEventRange(group.event, locale))} · ${state}</p>`;
}

function membersTable(view: GroupPageView): SafeHtml {
  const { locale } = view;
  const t = messagesFor(locale);
  const g = groupWordsFor(locale);
  const dates: DateContext = { locale, timeZone: view.timeZone, now: view.now };
  const withPosted = view.members.some((m) => m.posted !== null);
  const { previousHref, nextHref } = view.membersPager;
  const pager =
    previousHref || nextHref
      ? html`<nav class="pager" aria-label="${g.membersPagerLabel}">${previousHref ? html`<a href="${previousHref}">${g.fewerMembers}</a>` : html`<span></span>`}<span></span>${nextHref ? html`<a href="${nextHref}">${g.moreMembers}</a>` : html`<span></span>`}</nav>`
      : '';
  // On narrow screens each row becomes a card whose cells carry their column's name (palaver.css).
  return html`<section aria-labelledby="members">
<h2 id="members">${g.membersTitle}</h2>
${view.members.length
  ? html`<table class="blogs members reflow">
  <caption>${formatCount(view.memberCount, g.members, locale)}</caption>
  <thead><tr><th scope="col">${t.colBlog}</th><th scope="col">${t.colStatus}</th><th scope="col">${t.colLastPoll}</th>${withPosted ? html`<th scope="col">${g.colPosted}</th>` : ''}</tr></thead>
  <tbody>${view.members.map(
    (m) => html`<tr>
    <th scope="row" data-label="${t.colBlog}"><a href="/blogs/${m.blog.id}">${m.blog.title ?? displayUrl(m.blog.homeUrl)}</a><br><small>${displayUrl(m.blog.homeUrl)}</small></th>
    <td data-label="${t.colStatus}"><span class="status status-${m.health.status}">${t.status[m.health.status]}</span>${m.health.lastError ? html`<br><small class="error">${m.health.lastError}</small>` : ''}</td>
    <td data-label="${t.colLastPoll}">${timeElement(m.health.lastCheckedAt, dates) || '—'}</td>
    ${withPosted ? html`<td data-label="${g.colPosted}">${m.posted ? g.postedYes : g.postedNo}</td>` : ''}
  </tr>`,
  )}</tbody>
</table>${pager}`
  : html`<p>${t.noBlogs}</p>`}
</section>`;
}

/** Renders /g/:slug. */
export function renderGroupPage(view: GroupPageView): string {
  const { group, locale } = view;
  const t = messagesFor(locale);
  const g = groupWordsFor(locale);
  const dates: DateContext = { locale, timeZone: view.timeZone, now: view.now };
  const base = `/g/${group.slug}`;
  const lang = group.lang ? html` lang="${group.lang}"` : '';
  const head = html`<header class="group-head">
<h1${lang}>${group.title}</h1>
${group.description ? html`<p class="lede"${lang}>${group.description}</p>` : ''}
${eventLine(view)}
<p class="meta">${formatCount(view.memberCount, g.members, locale)} · ${formatCount(view.conversationCount, g.conversations, locale)}</p>
${renderSubscribeLinks(base, g.subscribeGroup, [{ href: `${base}.opml`, type: 'text/x-opml', label: g.blogList }])}
</header>`;
  const query = view.search?.query ?? '';
  const search = searchForm(t, query, { action: base, label: g.searchLabel });
  let body: SafeHtml;
  if (view.search) {
    body = html`${head}${search}${renderResults(view.search, t, locale, dates)}`;
  } else {
    const pageHref = (page: number) => (page <= 1 ? base : `${base}?page=${page}`);
    const pager =
      view.page > 1 || view.hasMore
        ? html`<nav class="pager" aria-label="${t.pagerLabel}">${view.page > 1 ? html`<a href="${pageHref(view.page - 1)}" rel="prev">${t.newer}</a>` : html`<span></span>`}<span class="page-number">${t.pageOf(formatNumber(view.page, locale))}</span>${view.hasMore ? html`<a href="${pageHref(view.page + 1)}" rel="next">${t.older}</a>` : html`<span></span>`}</nav>`
        : '';
    const conversations = html`<section aria-labelledby="conversations">
<h2 id="conversations">${group.event ? g.conversationsOfEvent : g.conversationsTitle}</h2>
${view.conversations.length
  ? renderConversationList({ conversations: view.conversations, newest: view.newest, blogs: view.blogs, activity: view.activity, locale, dates, extra: (c) => renderOutside(view.outside.get(c.id), g, locale) })
  : html`<p>${g.noConversations}</p>`}
${pager}
</section>`;
    const programme = group.event && view.programme?.length && view.page === 1 ? renderProgramme(view.programme, group.event, locale, 'programme', g.programme, view.programmePager) : '';
    body = html`${head}${search}${conversations}${programme}${view.page === 1 ? membersTable(view) : ''}`;
  }
  const switchQuery = view.search ? `q=${encodeURIComponent(query)}&` : view.page > 1 ? `page=${view.page}&` : '';
  return renderLayout({
    title: view.search ? `${t.searchResultsTitle(query)} · ${group.title} – Palaver` : `${group.title} – Palaver`,
    section: 'groups',
    locale,
    switchHref: `${base}?${switchQuery}lang=${locale === 'de' ? 'en' : 'de'}`,
    body,
    alternates: view.alternates,
    head: html`<link rel="alternate" type="text/x-opml" href="${base}.opml" title="${group.title} (OPML)">`,
    timeZoneNote: t.timeZoneNote(timeZoneName(view.timeZone, locale)),
  });
}

/** Renders /groups: every group, newest first, paged. */
export function renderGroupList(groups: GroupSummary[], options: { locale: Locale; next: number | null; first: boolean; total: number }): string {
  const { locale } = options;
  const t = messagesFor(locale);
  const g = groupWordsFor(locale);
  const list = groups.length
    ? html`<ol class="entries groups">${groups.map(
        (group) => html`<li><h2><a href="/g/${group.slug}"${group.lang ? html` lang="${group.lang}"` : ''}>${group.title}</a></h2>
<p class="meta">${formatCount(group.memberCount, g.members, locale)}${group.event ? html` · ${g.event(formatEventRange(group.event, locale))}` : ''}</p>
${group.description ? html`<p class="excerpt"${group.lang ? html` lang="${group.lang}"` : ''}>${group.description}</p>` : ''}</li>`,
      )}</ol>`
    : html`<p>${g.noGroups}</p>`;
  const pager =
    !options.first || options.next !== null
      ? html`<nav class="pager" aria-label="${t.pagerLabel}">${!options.first ? html`<a href="/groups">${t.firstPage}</a>` : html`<span></span>`}<span></span>${options.next !== null ? html`<a href="/groups?before=${options.next}" rel="next">${t.laterPage}</a>` : html`<span></span>`}</nav>`
      : '';
  return renderLayout({
    title: `${g.groupsTitle} – Palaver`,
    section: 'groups',
    locale,
    switchHref: `/groups?lang=${locale === 'de' ? 'en' : 'de'}`,
    body: html`<h1>${g.groupsTitle}</h1>
<p class="lede">${g.groupsLede}</p>
${list}${pager}
<p class="hint">${g.howToCreate} <code class="command">npx palaver group create &lt;slug&gt; --opml list.opml</code> · <a href="/groups/new">${g.newGroupLink}</a></p>`,
  });
}
