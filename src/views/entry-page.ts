// One entry's own page (/e/:id): the entry, what it answers, where its conversation is, and
// the TrackBack discovery for pinging exactly this entry.
import type { Conversation, ConversationEntry } from '../domain/models.ts';
import { timeElement, timeZoneName, type DateContext } from './dates.ts';
import { blogName, nameEntry } from './entry-names.ts';
import { html, trustedHtml } from './html.ts';
import { messagesFor, type Locale } from './i18n.ts';
import { renderJoinFacts } from './join.ts';
import { renderLayout } from './layout.ts';
import { renderPingLinks, renderTrackbackRdf } from './ping-discovery.ts';

export interface EntryPageView {
  entry: ConversationEntry;
  parent: ConversationEntry | null;
  /** What the entry is about (the post a comment is on), for its name. */
  about?: ConversationEntry | null;
  /** What the parent is about, for the parent's name. */
  parentAbout?: ConversationEntry | null;
  conversation: Conversation;
  publicUrl: string;
  locale?: Locale;
  now?: Date;
  /** The zone the page shows times in; UTC by default. */
  timeZone?: string;
}

const outbound = 'nofollow ugc noopener';

/** Renders an entry's page. */
export function renderEntryPage(view: EntryPageView): string {
  const locale = view.locale ?? 'en';
  const t = messagesFor(locale);
  const dates: DateContext = { locale, timeZone: view.timeZone ?? 'UTC', now: view.now ?? new Date() };
  const e = view.entry;
  const name = nameEntry(e, view.about, t);
  const pageUrl = `${view.publicUrl}/e/${e.id}`;
  const pingUrl = `${view.publicUrl}/trackback/${e.id}`;
  const author = e.authorName
    ? html`<span class="p-author h-card">${e.authorUrl ? html`<a class="p-name u-url" href="${e.authorUrl}" rel="${outbound}">${e.authorName}</a>` : html`<span class="p-name">${e.authorName}</span>`}</span>`
    : '';
  const parent = view.parent;
  return renderLayout({
    title: `${name} · Palaver`,
    section: 'home',
    locale,
    switchHref: `/e/${e.id}?lang=${locale === 'de' ? 'en' : 'de'}`,
    head: html`${renderPingLinks(view.publicUrl)}<link rel="trackback" href="${pingUrl}">`,
    timeZoneNote: t.timeZoneNote(timeZoneName(dates.timeZone, locale)),
    body: html`<article class="entry h-entry kind-${e.kind}${e.tombstonedAt ? ' tombstone' : ''}" id="e-${e.id}"${e.lang ? html` lang="${e.lang}"` : ''}>
  <p class="meta">${e.blog ? html`<a class="blog" href="/blogs/${e.blog.id}">${blogName(e.blog)}</a>` : ''}<span class="kind">${t.kind[e.kind] ?? e.kind}</span></p>
  <h1 class="p-name">${name}</h1>
  <p class="byline">${author}${author ? ' · ' : ''}${timeElement(e.sortAt, dates, { className: 'dt-published' })}</p>
  ${parent ? html`<p class="in-reply-to">${t.inReplyTo} <a class="u-in-reply-to" href="/c/${view.conversation.id}#e-${parent.id}">${nameEntry(parent, view.parentAbout, t)}</a>${parent.blog && parent.blog.id !== e.blog?.id ? html` <span class="reply-blog">(${blogName(parent.blog)})</span>` : ''}</p>` : ''}
  ${e.tombstonedAt ? html`<p class="gone">${t.gone}</p>` : html`<div class="content e-content">${trustedHtml(e.contentHtml ?? '')}</div>`}
  <p class="via">${e.url ? html`<a class="u-url" href="${e.url}" rel="${outbound}">${t.readOriginal}</a> · ` : ''}${t.partOf} <a href="/c/${view.conversation.id}#e-${e.id}">${view.conversation.title ?? t.aConversation}</a></p>
  <section class="join">
  <p>${t.answerHint}</p>
  ${renderJoinFacts([{ id: 'join-trackback', label: 'TrackBack', value: pingUrl }], t)}
  </section>
  ${renderTrackbackRdf({ pageUrl, title: name, pingUrl })}
</article>`,
  });
}
