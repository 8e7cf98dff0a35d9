// The home page: conversations, best ranked first, each with its blogs, counts, activity and
// a line from its newest entry; or a first-run page pointing to registration and the demo.
import type { Conversation } from '../store/conversations.ts';
import type { EntryWithBlog } from '../store/entries.ts';
import { displayUrl, formatDateTime, formatRelative } from './format.ts';
import { html } from './html.ts';
import { renderLayout } from './layout.ts';

export interface HomeView {
  conversations: Conversation[];
  newest: Map<number, EntryWithBlog>;
  blogs: Map<number, { id: number; title: string | null; homeUrl: string }[]>;
  blogCount: number;
  now: Date;
  page: number;
  hasMore: boolean;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Renders the home page. */
export function renderHome(view: HomeView): string {
  const intro =
    view.blogCount === 0
      ? html`<section class="empty">
  <h1>Follow a debate across blogs</h1>
  <p>Palaver reads the feeds, comments and linkbacks of several blogs and shows them as one conversation.</p>
  <p>No blogs are registered yet. <a href="/blogs#register">Register a blog</a> by pasting its address,
  or run <code>npx palaver demo</code> to see the bundled “Social Media Camp” debate from 2008.</p>
</section>`
      : html`<h1>Conversations</h1>
<p class="lede">Across ${plural(view.blogCount, 'registered blog', 'registered blogs')}.</p>`;

  const list = view.conversations.length
    ? html`<ol class="conversations">${view.conversations.map((c) => {
        const newest = view.newest.get(c.id);
        const blogs = view.blogs.get(c.id) ?? [];
        return html`<li><article class="conversation-summary">
  <h2><a href="/c/${c.id}">${c.title || '(untitled)'}</a></h2>
  <p class="meta">${blogs.map((b, i) => html`${i ? ', ' : ''}<a href="/blogs/${b.id}">${b.title ?? displayUrl(b.homeUrl)}</a>`)} · ${plural(c.postCount, 'post', 'posts')}, ${plural(c.commentCount, 'comment', 'comments')}, ${plural(c.linkbackCount, 'linkback', 'linkbacks')}${c.lastActivityAt ? html` · <time datetime="${c.lastActivityAt}" title="${formatDateTime(c.lastActivityAt)}">${formatRelative(c.lastActivityAt, view.now)}</time>` : ''}</p>
  ${newest?.excerpt ? html`<p class="excerpt">${newest.authorName ? html`<span class="author">${newest.authorName}:</span> ` : ''}${newest.excerpt}</p>` : ''}
</article></li>`;
      })}</ol>`
    : view.blogCount > 0
      ? html`<p>Nothing fetched yet: the first poll runs shortly after a blog is registered.</p>`
      : '';

  const pager = html`<nav class="pager" aria-label="Pages">${view.page > 1 ? html`<a href="/?page=${view.page - 1}">Newer</a>` : ''} ${view.hasMore ? html`<a href="/?page=${view.page + 1}">Older</a>` : ''}</nav>`;

  return renderLayout({ title: 'Palaver', section: 'home', body: html`${intro}${list}${pager}` });
}
