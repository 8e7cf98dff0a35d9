// The moderation page: blogs registered by strangers and pings waiting for a decision, with
// approve, reject and block buttons (each form carries the session's CSRF token), and the token
// form that opens it.

import type { Blog, Ping } from '../domain/models.ts';
import { formatDateTime } from './format.ts';
import { html } from './html.ts';
import { renderLayout } from './layout.ts';

export interface PendingBlog {
  blog: Blog;
  feedUrl: string | null;
  /** Its newest entries, read while it waits. */
  entries: { id: number; title: string | null; url: string | null; excerpt: string | null; sortAt: string }[];
}

export interface AdminView {
  held: Ping[];
  pendingBlogs: PendingBlog[];
  notice: string | null;
  /** The session's CSRF token, sent back by every form. */
  csrf: string;
}

/** Renders the form asking for the admin token. */
export function renderAdminLogin(error: string | null): string {
  return renderLayout({
    title: 'Moderation · Palaver',
    body: html`<h1>Moderation</h1>
<form method="post" action="/admin/login" class="register">
  <label for="token">Admin token</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required${error ? html` aria-invalid="true" aria-describedby="token-error"` : ''}>
  ${error ? html`<p class="error" id="token-error">${error}</p>` : ''}
  <button type="submit">Open</button>
</form>`,
  });
}

/** Renders the pending blogs and the held pings with their actions. */
export function renderAdminPage(view: AdminView): string {
  const { held, pendingBlogs, notice, csrf } = view;
  const action = (href: string, label: string) => html`<form method="post" action="${href}"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">${label}</button></form>`;
  return renderLayout({
    title: 'Moderation · Palaver',
    body: html`<h1>Moderation</h1>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
${action('/admin/logout', 'Log out')}
<h2>Blogs</h2>
<p class="lede">${pendingBlogs.length} ${pendingBlogs.length === 1 ? 'blog waits' : 'blogs wait'} for a decision. A waiting blog is read but not shown; approving it shows everything it posted meanwhile.</p>
<ol class="pending-blogs">${pendingBlogs.map(
      (p) => html`<li><article class="pending-blog">
  <h3>${p.blog.title ?? p.blog.homeUrl}</h3>
  <p class="meta"><a href="${p.blog.homeUrl}" rel="nofollow ugc noopener">${p.blog.homeUrl}</a>${p.feedUrl ? html` · feed <a href="${p.feedUrl}" rel="nofollow ugc noopener">${p.feedUrl}</a>` : ''} · registered <time datetime="${p.blog.createdAt}">${formatDateTime(p.blog.createdAt)}</time></p>
  ${p.entries.length ? html`<ul class="entries compact">${p.entries.map((e) => html`<li>${e.title ?? e.excerpt ?? e.url ?? '—'}</li>`)}</ul>` : html`<p>Nothing read yet.</p>`}
  ${action(`/admin/blogs/${p.blog.id}/approve`, 'Approve')}
  ${action(`/admin/blogs/${p.blog.id}/reject`, 'Reject')}
</article></li>`,
    )}</ol>
<h2>Pings</h2>
<p class="lede">${held.length} ${held.length === 1 ? 'ping waits' : 'pings wait'} for a decision. Approving trusts the sending host; blocking refuses all its pings.</p>
<ol class="pings">${held.map(
      (p) => html`<li><article class="ping">
  <h3>${p.title ?? p.sourceUrl}</h3>
  <p class="meta">${p.protocol} from <a href="${p.sourceUrl}" rel="nofollow ugc noopener">${p.sourceUrl}</a> to <a href="${p.targetUrl}" rel="nofollow ugc noopener">${p.targetUrl}</a> · <time datetime="${p.updatedAt}">${formatDateTime(p.updatedAt)}</time></p>
  ${p.excerpt ? html`<p class="excerpt">${p.excerpt}</p>` : ''}
  ${action(`/admin/pings/${p.id}/approve`, 'Approve')}
  ${action(`/admin/pings/${p.id}/reject`, 'Reject')}
  ${action(`/admin/hosts/${p.sourceHost}/block`, `Block ${p.sourceHost}`)}
</article></li>`,
    )}</ol>`,
  });
}
