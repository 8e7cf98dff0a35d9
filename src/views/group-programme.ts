// An event's calendar on the pages: its dates as a range ("12.–17. November 2008"), the
// day-by-day programme of what its blogs posted ("Day 3: 4 posts on 3 blogs, 12 comments", then
// the posts), and the summary page that stays once the event is over.
import { daysBetween, type EventDay, type Group, type GroupEvent, type GroupPost, type GroupSpanCounts, type OutsideParticipants } from '../domain/groups.ts';
import type { BlogRef, Conversation, ConversationActivity, EntryWithBlog } from '../domain/models.ts';
import { formatDay, timeZoneName, type DateContext } from './dates.ts';
import { displayUrl } from './format.ts';
import { groupWordsFor, type GroupWords } from './group-words.ts';
import { renderConversationList } from './home.ts';
import { html, type SafeHtml } from './html.ts';
import { formatCount, formatNumber, messagesFor, type Locale } from './i18n.ts';
import { renderLayout, type FeedAlternate } from './layout.ts';

/** One day of the programme: its counts and (the first of) its posts. */
export interface ProgrammeDay {
  day: EventDay;
  counts: GroupSpanCounts;
  posts: GroupPost[];
}

const rangeFormats = new Map<Locale, Intl.DateTimeFormat>();
const timeFormats = new Map<string, Intl.DateTimeFormat>();

// Calendar dates are written as they are, whatever the reader's zone: noon UTC of the day.
function dayInstant(date: string): Date {
  return new Date(`${date}T12:00:00Z`);
}

/** Formats an event's days as a range in the reader's language ("12.–17. November 2008", "November 12 – 17, 2008"). */
export function formatEventRange(event: Pick<GroupEvent, 'startsOn' | 'endsOn'>, locale: Locale): string {
  let f = rangeFormats.get(locale);
  if (!f) rangeFormats.set(locale, (f = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })));
  return event.startsOn === event.endsOn ? f.format(dayInstant(event.startsOn)) : f.formatRange(dayInstant(event.startsOn), dayInstant(event.endsOn));
}

/** Formats the day of an event ("Freitag, 14. November 2008"). */
export function formatEventDay(date: string, locale: Locale): string {
  return formatDay(dayInstant(date), { locale, timeZone: 'UTC' });
}

function timeOfDay(iso: string, locale: Locale, timeZone: string): string {
  const key = `${locale}|${timeZone}`;
  let f = timeFormats.get(key);
  if (!f) {
    if (timeFormats.size > 256) timeFormats.clear();
    timeFormats.set(key, (f = new Intl.DateTimeFormat(locale, { hour: locale === 'de' ? '2-digit' : 'numeric', minute: '2-digit', timeZone })));
  }
  return f.format(new Date(iso));
}

/** Says what a span of the event brought: "4 posts on 3 blogs, 12 comments, 2 linkbacks", or "nothing posted". */
export function describeCounts(counts: GroupSpanCounts, locale: Locale): string {
  const t = messagesFor(locale);
  const g = groupWordsFor(locale);
  const parts: string[] = [];
  if (counts.posts > 0) parts.push(g.postsOnBlogs(formatCount(counts.posts, t.posts, locale), formatCount(counts.postingBlogs, t.blogs, locale)));
  if (counts.comments > 0) parts.push(formatCount(counts.comments, t.comments, locale));
  if (counts.linkbacks > 0) parts.push(formatCount(counts.linkbacks, t.linkbacks, locale));
  return parts.length ? parts.join(', ') : g.nothingPosted;
}

/** Links to the programme's neighbouring pages of days (null: none that way). */
export interface ProgrammePager {
  earlierHref: string | null;
  laterHref: string | null;
}

/** Renders the programme: a line per day with its counts, and the posts of the day with their blogs. */
export function renderProgramme(days: ProgrammeDay[], event: GroupEvent, locale: Locale, headingId: string, heading: string, pager?: ProgrammePager): SafeHtml {
  const g = groupWordsFor(locale);
  const nav =
    pager && (pager.earlierHref || pager.laterHref)
      ? html`<nav class="pager" aria-label="${g.programmePagerLabel}">${pager.earlierHref ? html`<a href="${pager.earlierHref}" rel="prev">${g.earlierDays}</a>` : html`<span></span>`}<span></span>${pager.laterHref ? html`<a href="${pager.laterHref}" rel="next">${g.laterDays}</a>` : html`<span></span>`}</nav>`
      : '';
  return html`<section class="programme" aria-labelledby="${headingId}">
<h2 id="${headingId}">${heading}</h2>
<p class="hint">${g.programmeNote} ${timeZoneName(event.timeZone, locale)}.</p>
<ol class="days">${days.map((d) => {
    const more = d.counts.posts - d.posts.length;
    return html`<li class="day-programme${d.counts.posts + d.counts.comments + d.counts.linkbacks === 0 ? ' quiet' : ''}">
<h3><span class="day-number">${g.dayLabel(formatNumber(d.day.number, locale))}</span> · <span class="day-date">${formatEventDay(d.day.date, locale)}</span></h3>
<p class="meta day-counts">${describeCounts(d.counts, locale)}</p>
${d.posts.length
  ? html`<ul class="entries compact day-posts">${d.posts.map(
      (p) => html`<li><a href="/c/${p.conversationId}#e-${p.id}"${p.lang ? html` lang="${p.lang}"` : ''}>${p.title || messagesFor(locale).untitled}</a> <small><a href="/blogs/${p.blog.id}">${p.blog.title ?? displayUrl(p.blog.homeUrl)}</a>${p.authorName ? html` · ${p.authorName}` : ''} · <time datetime="${p.sortAt}">${timeOfDay(p.sortAt, locale, event.timeZone)}</time></small></li>`,
    )}${more > 0 ? html`<li class="more"><small>${g.morePosts(formatNumber(more, locale))}</small></li>` : ''}</ul>`
  : ''}
</li>`;
  })}</ol>
${nav}
</section>`;
}

/** Renders who joined a conversation from outside the group: registered blogs by name, other sites by host. */
export function renderOutside(outside: OutsideParticipants | undefined, g: GroupWords, locale: Locale): SafeHtml | string {
  if (!outside || (outside.blogs.length === 0 && outside.siteUrls.length === 0)) return '';
  const hosts = [...new Set(outside.siteUrls.map((u) => displayUrl(u).split('/')[0]!))];
  const shownHosts = hosts.slice(0, 3);
  return html`<p class="meta outside">${g.outsideJoined} ${outside.blogs.map((b, i) => html`${i ? ', ' : ''}<a href="/blogs/${b.id}">${b.title ?? displayUrl(b.homeUrl)}</a>`)}${shownHosts.map(
    (h, i) => html`${i || outside.blogs.length ? ', ' : ''}<span class="site">${h}</span>`,
  )}${hosts.length > shownHosts.length ? html` ${formatCount(hosts.length - shownHosts.length, g.otherSites, locale)}` : ''}</p>`;
}

export interface GroupSummaryView {
  group: Group & { event: GroupEvent };
  memberCount: number;
  totals: GroupSpanCounts;
  /** Members without a post during the event. */
  silent: BlogRef[];
  top: Conversation[];
  /** All of the group's conversations, not only the top ones shown. */
  conversationCount: number;
  newest: Map<number, EntryWithBlog>;
  blogs: Map<number, BlogRef[]>;
  outside: Map<number, OutsideParticipants>;
  /** Each conversation's activity per day and its blogs, drawn small as on the home page. */
  activity?: Map<number, ConversationActivity>;
  programme: ProgrammeDay[];
  programmePager?: ProgrammePager;
  /** The event has not ended yet: the summary says it is how things stand so far. */
  running: boolean;
  now: Date;
  locale: Locale;
  timeZone: string;
  alternates: FeedAlternate[];
}

/** Renders /g/:slug/summary: an event that is over, in numbers, its most discussed conversations and its days. */
export function renderGroupSummary(view: GroupSummaryView): string {
  const { group, locale } = view;
  const t = messagesFor(locale);
  const g = groupWordsFor(locale);
  const dates: DateContext = { locale, timeZone: view.timeZone, now: view.now };
  const dayCount = daysBetween(group.event.startsOn, group.event.endsOn) + 1;
  const totals = view.totals;
  const body = html`<h1${group.lang ? html` lang="${group.lang}"` : ''}>${g.summaryTitle(group.title)}</h1>
<p class="lede">${g.summaryLede(formatEventRange(group.event, locale), formatCount(dayCount, g.days, locale))} <a href="/g/${group.slug}">${g.backToGroup}</a></p>
${view.running ? html`<p class="notice" role="note">${g.summarySoFar}</p>` : ''}
${group.description ? html`<p${group.lang ? html` lang="${group.lang}"` : ''}>${group.description}</p>` : ''}
<section aria-labelledby="totals">
<h2 id="totals">${g.totals}</h2>
<ul class="totals">
<li>${describeCounts(totals, locale)}</li>
<li>${g.blogsPosted(formatNumber(totals.postingBlogs, locale), formatNumber(view.memberCount, locale))}</li>
<li>${formatCount(totals.authors, g.authors, locale)}</li>
<li>${formatCount(view.conversationCount, g.conversations, locale)}</li>
</ul>
${view.silent.length ? html`<p class="meta">${g.silentMembers} ${view.silent.map((b, i) => html`${i ? ', ' : ''}<a href="/blogs/${b.id}">${b.title ?? displayUrl(b.homeUrl)}</a>`)}</p>` : ''}
</section>
<section aria-labelledby="top">
<h2 id="top">${g.mostDiscussed}</h2>
${view.top.length
  ? renderConversationList({ conversations: view.top, newest: view.newest, blogs: view.blogs, activity: view.activity, locale, dates, extra: (c) => renderOutside(view.outside.get(c.id), g, locale) })
  : html`<p>${g.noConversations}</p>`}
</section>
${renderProgramme(view.programme, group.event, locale, 'days', g.dayByDay, view.programmePager)}`;
  return renderLayout({
    title: `${g.summaryTitle(group.title)} – Palaver`,
    section: 'groups',
    locale,
    switchHref: `/g/${group.slug}/summary?lang=${locale === 'de' ? 'en' : 'de'}`,
    body,
    alternates: view.alternates,
    timeZoneNote: t.timeZoneNote(timeZoneName(view.timeZone, locale)),
  });
}
