// The conversation page: every entry in time order with its blog, author, time, what it
// answers and the channels it came by. Foreign content is the ingest sanitizer's output.
import type { Conversation, ConversationEntry } from '../store/conversations.ts';
import { displayUrl, formatDateTime, formatRelative } from './format.ts';
import { html, trustedHtml, type SafeHtml } from './html.ts';
import { renderLayout } from './layout.ts';
import { renderPingLinks, renderTrackbackRdf } from './ping-discovery.ts';

export interface ConversationView {
  conversation: Conversation;
  entries: ConversationEntry[];
  now: Date;
  publicUrl: string;
}

const channelLabels: Record<string, string> = {
  feed: 'feed',
  'comment-feed': 'comment feed',
  pingback: 'pingback',
  trackback: 'trackback',
  webmention: 'webmention',
  listing: 'ping listing',
};

const kindLabels: Record<string, string> = {
  post: 'Post',
  comment: 'Comment',
  pingback: 'Pingback',
  trackback: 'Trackback',
  webmention: 'Webmention',
};

/** Names an entry in one line: a post by its title, anything else by its author and blog. */
export function entryName(e: ConversationEntry): string {
  if (e.kind === 'post' && e.title) return e.title;
  return `${e.authorName ?? 'someone'}${e.blog ? ` (${e.blog.title ?? displayUrl(e.blog.homeUrl)})` : ''}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Renders one conversation as a timeline. */
export function renderConversation(view: ConversationView): string {
  const c = view.conversation;
  const byId = new Map(view.entries.map((e) => [e.id, e]));
  const blogs = new Map<number, { title: string | null; homeUrl: string }>();
  for (const e of view.entries) if (e.blog) blogs.set(e.blog.id, e.blog);

  const header = html`<header class="conversation">
  <h1>${c.title ?? 'Conversation'}</h1>
  <p class="lede">${plural(c.postCount, 'post', 'posts')}, ${plural(c.commentCount, 'comment', 'comments')}, ${plural(c.linkbackCount, 'linkback', 'linkbacks')} from ${plural(c.blogCount, 'blog', 'blogs')}${c.lastActivityAt ? html` · last activity <time datetime="${c.lastActivityAt}" title="${formatDateTime(c.lastActivityAt)}">${formatRelative(c.lastActivityAt, view.now)}</time>` : ''}</p>
  ${blogs.size ? html`<p class="blogs">Taking part: ${[...blogs.entries()].map(([id, b], i) => html`${i ? ', ' : ''}<a href="/blogs/${id}">${b.title ?? displayUrl(b.homeUrl)}</a>`)}</p>` : ''}
  ${c.missingCount > 0 ? html`<p class="notice" role="note">${plural(c.missingCount, 'comment', 'comments')} may be missing: the blogs report more than their comment feeds show.</p>` : ''}
</header>`;

  const items: SafeHtml[] = view.entries.map((e) => {
    const parent = e.inReplyToId !== null ? byId.get(e.inReplyToId) : undefined;
    return html`<li><article class="entry kind-${e.kind}${e.tombstonedAt ? ' tombstone' : ''}" id="e-${e.id}"${e.lang ? html` lang="${e.lang}"` : ''}>
  <p class="meta"><span class="kind">${kindLabels[e.kind] ?? e.kind}</span>${e.blog ? html` · <a href="/blogs/${e.blog.id}">${e.blog.title ?? displayUrl(e.blog.homeUrl)}</a>` : ''}${e.authorName ? html` · ${e.authorUrl ? html`<a href="${e.authorUrl}" rel="nofollow ugc noopener">${e.authorName}</a>` : e.authorName}` : ''} · <time datetime="${e.sortAt}" title="${formatDateTime(e.sortAt)}">${formatRelative(e.sortAt, view.now)}</time></p>
  ${e.kind === 'post' && e.title ? html`<h2>${e.url ? html`<a href="${e.url}" rel="nofollow ugc noopener">${e.title}</a>` : e.title}</h2>` : ''}
  ${parent ? html`<p class="in-reply-to">in reply to <a href="#e-${parent.id}">${entryName(parent)}</a></p>` : ''}
  ${e.tombstonedAt ? html`<p class="gone">This entry is gone from its source.</p>` : html`<div class="content">${trustedHtml(e.contentHtml ?? (e.excerpt ? html`<p>${e.excerpt}</p>`.value : ''))}</div>`}
  <p class="via">via ${e.via.map((v, i) => html`${i ? ', ' : ''}<span class="channel">${channelLabels[v] ?? v}</span>`)}${e.url ? html` · <a href="${e.url}" rel="nofollow ugc noopener">original</a>` : ''} · <a href="/e/${e.id}">permalink</a></p>
  ${renderTrackbackRdf({ pageUrl: `${view.publicUrl}/e/${e.id}`, title: entryName(e), pingUrl: `${view.publicUrl}/trackback/${e.id}` })}
</article></li>`;
  });

  return renderLayout({
    title: `${c.title ?? 'Conversation'} · Palaver`,
    section: 'home',
    head: renderPingLinks(view.publicUrl),
    body: html`${header}<ol class="timeline">${items}</ol>`,
  });
}
