// One entry's own page (/e/:id): the entry, what it answers, where its conversation is, and
// the TrackBack discovery for pinging exactly this entry.
import type { Conversation, ConversationEntry } from '../store/conversations.ts';
import { entryName } from './conversation.ts';
import { displayUrl, formatDateTime, formatRelative } from './format.ts';
import { html, trustedHtml } from './html.ts';
import { messagesFor, type Locale } from './i18n.ts';
import { renderLayout } from './layout.ts';
import { renderPingLinks, renderTrackbackRdf } from './ping-discovery.ts';

export interface EntryPageView {
  entry: ConversationEntry;
  parent: ConversationEntry | null;
  conversation: Conversation;
  publicUrl: string;
  locale?: Locale;
  now?: Date;
}

const outbound = 'nofollow ugc noopener';

/** Renders an entry's page. */
export function renderEntryPage(view: EntryPageView): string {
  const locale = view.locale ?? 'en';
  const t = messagesFor(locale);
  const now = view.now ?? new Date();
  const e = view.entry;
  const pageUrl = `${view.publicUrl}/e/${e.id}`;
  const pingUrl = `${view.publicUrl}/trackback/${e.id}`;
  const author = e.authorName
    ? html`<span class="p-author h-card">${e.authorUrl ? html`<a class="p-name u-url" href="${e.authorUrl}" rel="${outbound}">${e.authorName}</a>` : html`<span class="p-name">${e.authorName}</span>`}</span>`
    : '';
  return renderLayout({
    title: `${entryName(e, t)} · Palaver`,
    section: 'home',
    locale,
    switchHref: `/e/${e.id}?lang=${locale === 'de' ? 'en' : 'de'}`,
    head: html`${renderPingLinks(view.publicUrl)}<link rel="trackback" href="${pingUrl}">`,
    body: html`<article class="entry h-entry kind-${e.kind}${e.tombstonedAt ? ' tombstone' : ''}" id="e-${e.id}"${e.lang ? html` lang="${e.lang}"` : ''}>
  <p class="meta">${e.blog ? html`<a class="blog" href="/blogs/${e.blog.id}">${e.blog.title ?? displayUrl(e.blog.homeUrl)}</a>` : ''}<span class="kind">${t.kind[e.kind] ?? e.kind}</span></p>
  <h1 class="p-name">${entryName(e, t)}</h1>
  <p class="byline">${author}${author ? ' · ' : ''}<time class="dt-published" datetime="${e.sortAt}" title="${formatDateTime(e.sortAt, locale)}">${formatRelative(e.sortAt, now, locale)}</time></p>
  ${view.parent ? html`<p class="in-reply-to">${t.inReplyTo} <a class="u-in-reply-to" href="/c/${view.conversation.id}#e-${view.parent.id}">${entryName(view.parent, t)}</a></p>` : ''}
  ${e.tombstonedAt ? html`<p class="gone">${t.gone}</p>` : html`<div class="content e-content">${trustedHtml(e.contentHtml ?? '')}</div>`}
  <p class="via">${e.url ? html`<a class="u-url" href="${e.url}" rel="${outbound}">${t.readOriginal}</a> · ` : ''}${t.partOf} <a href="/c/${view.conversation.id}#e-${e.id}">${view.conversation.title ?? t.aConversation}</a></p>
  <p class="join">${t.answerHint(pingUrl)}</p>
  ${renderTrackbackRdf({ pageUrl, title: entryName(e, t), pingUrl })}
</article>`,
  });
}
