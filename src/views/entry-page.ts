// One entry's own page (/e/:id): the entry, what it answers, where its conversation is, and
// the TrackBack discovery for pinging exactly this entry.
import type { Conversation, ConversationEntry } from '../store/conversations.ts';
import { entryName } from './conversation.ts';
import { displayUrl, formatDateTime } from './format.ts';
import { html, trustedHtml } from './html.ts';
import { renderLayout } from './layout.ts';
import { renderPingLinks, renderTrackbackRdf } from './ping-discovery.ts';

export interface EntryPageView {
  entry: ConversationEntry;
  parent: ConversationEntry | null;
  conversation: Conversation;
  publicUrl: string;
}

/** Renders an entry's page. */
export function renderEntryPage(view: EntryPageView): string {
  const e = view.entry;
  const pageUrl = `${view.publicUrl}/e/${e.id}`;
  const pingUrl = `${view.publicUrl}/trackback/${e.id}`;
  return renderLayout({
    title: `${entryName(e)} · Palaver`,
    section: 'home',
    head: html`${renderPingLinks(view.publicUrl)}<link rel="trackback" href="${pingUrl}">`,
    body: html`<article class="entry kind-${e.kind}" id="e-${e.id}"${e.lang ? html` lang="${e.lang}"` : ''}>
  <h1>${entryName(e)}</h1>
  <p class="meta">${e.blog ? html`<a href="/blogs/${e.blog.id}">${e.blog.title ?? displayUrl(e.blog.homeUrl)}</a> · ` : ''}${e.authorName ?? ''} · <time datetime="${e.sortAt}">${formatDateTime(e.sortAt)}</time></p>
  ${view.parent ? html`<p class="in-reply-to">in reply to <a href="/c/${view.conversation.id}#e-${view.parent.id}">${entryName(view.parent)}</a></p>` : ''}
  ${e.tombstonedAt ? html`<p class="gone">This entry is gone from its source.</p>` : html`<div class="content">${trustedHtml(e.contentHtml)}</div>`}
  <p>${e.url ? html`<a href="${e.url}" rel="nofollow ugc noopener">Read the original</a> · ` : ''}Part of <a href="/c/${view.conversation.id}#e-${e.id}">${view.conversation.title ?? 'a conversation'}</a></p>
  <p class="join">To answer, link to this page from your blog; it is pinged through TrackBack (${pingUrl}), Pingback or Webmention.</p>
  ${renderTrackbackRdf({ pageUrl, title: entryName(e), pingUrl })}
</article>`,
  });
}
