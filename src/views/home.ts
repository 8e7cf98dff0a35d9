// The home page: for now the newest posts of all registered blogs (conversations come with
// threading), or a first-run page pointing to registration and the demo.
import type { EntryWithBlog } from '../store/entries.ts';
import { displayUrl, formatDateTime, formatRelative } from './format.ts';
import { html } from './html.ts';
import { renderLayout } from './layout.ts';

export interface HomeView {
  entries: EntryWithBlog[];
  blogCount: number;
  now: Date;
  page: number;
  hasMore: boolean;
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
      : html`<h1>Newest posts</h1>
<p class="lede">From ${view.blogCount} registered ${view.blogCount === 1 ? 'blog' : 'blogs'}.</p>`;

  const list = view.entries.length
    ? html`<ol class="entries">${view.entries.map(
        (e) => html`<li><article class="entry">
  <h2><a href="${e.url ?? '#'}" rel="nofollow ugc noopener">${e.title || '(untitled)'}</a></h2>
  <p class="meta">${e.blog ? html`<a href="/blogs/${e.blog.id}">${e.blog.title ?? displayUrl(e.blog.homeUrl)}</a>` : ''}${e.authorName ? html` · ${e.authorName}` : ''} · <time datetime="${e.sortAt}" title="${formatDateTime(e.sortAt)}">${formatRelative(e.sortAt, view.now)}</time></p>
  ${e.excerpt ? html`<p class="excerpt">${e.excerpt}</p>` : ''}
</article></li>`,
      )}</ol>`
    : view.blogCount > 0
      ? html`<p>Nothing fetched yet: the first poll runs shortly after a blog is registered.</p>`
      : '';

  const pager = html`<nav class="pager" aria-label="Pages">${view.page > 1 ? html`<a href="/?page=${view.page - 1}">Newer</a>` : ''} ${view.hasMore ? html`<a href="/?page=${view.page + 1}">Older</a>` : ''}</nav>`;

  return renderLayout({ title: 'Palaver', section: 'home', body: html`${intro}${list}${pager}` });
}
