// The blog registry pages: the list with each blog's health and the registration form, and
// one blog's page with what discovery found and how polling goes.
import type { BlogHealth } from '../registry/health.ts';
import type { Blog } from '../store/blogs.ts';
import type { EntryWithBlog } from '../store/entries.ts';
import type { Source } from '../store/sources.ts';
import { displayUrl, formatDateTime, formatRelative } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { renderLayout } from './layout.ts';

export interface BlogRow {
  blog: Blog;
  health: BlogHealth;
  entryCount: number;
}

const statusLabel: Record<BlogHealth['status'], string> = {
  pending: 'waiting for the first poll',
  active: 'ok',
  failing: 'failing',
  disabled: 'stopped',
};

function when(iso: string | null, now: Date): SafeHtml | string {
  if (!iso) return '—';
  return html`<time datetime="${iso}" title="${formatDateTime(iso)}">${formatRelative(iso, now)}</time>`;
}

function registrationForm(form: { url?: string; error?: string }): SafeHtml {
  return html`<section id="register" class="register">
  <h2>Register a blog</h2>
  <form method="post" action="/blogs" novalidate>
    <label for="url">Address of the blog (home page, a post, or its feed)</label>
    <div class="field">
      <input id="url" name="url" type="url" inputmode="url" autocomplete="url" required placeholder="https://example.org/"
        value="${form.url ?? ''}"${form.error ? html` aria-invalid="true" aria-describedby="url-error"` : ''}>
      <button type="submit">Register</button>
    </div>
    ${form.error ? html`<p id="url-error" class="error" role="alert">${form.error}</p>` : ''}
  </form>
  <p class="hint">Palaver finds the feeds, the comment feed and the pingback and webmention endpoints itself.</p>
</section>`;
}

/** Renders /blogs: the registry with health, and the registration form. */
export function renderBlogList(rows: BlogRow[], now: Date, form: { url?: string; error?: string } = {}): string {
  const table = rows.length
    ? html`<table class="blogs">
  <caption>${rows.length} registered ${rows.length === 1 ? 'blog' : 'blogs'}</caption>
  <thead><tr><th scope="col">Blog</th><th scope="col">Status</th><th scope="col">Last poll</th><th scope="col">Next check</th><th scope="col">Entries</th></tr></thead>
  <tbody>${rows.map(
    (r) => html`<tr>
    <td><a href="/blogs/${r.blog.id}">${r.blog.title ?? displayUrl(r.blog.homeUrl)}</a><br><small>${displayUrl(r.blog.homeUrl)}</small></td>
    <td><span class="status status-${r.health.status}">${statusLabel[r.health.status]}</span>${r.health.lastError ? html`<br><small class="error">${r.health.lastError}</small>` : ''}</td>
    <td>${when(r.health.lastCheckedAt, now)}</td>
    <td>${r.health.status === 'disabled' ? '—' : when(r.health.nextCheckAt, now)}</td>
    <td>${r.entryCount}</td>
  </tr>`,
  )}</tbody>
</table>`
    : html`<p>No blogs yet.</p>`;
  return renderLayout({
    title: form.error ? 'Error: Blogs – Palaver' : 'Blogs – Palaver',
    section: 'blogs',
    body: html`<h1>Blogs</h1>${registrationForm(form)}<h2>Registry</h2>${table}`,
  });
}

const sourceKindLabel: Record<Source['kind'], string> = {
  feed: 'Post feed',
  'site-comments': 'Site comment feed',
  'post-comments': 'Comment feed of a post',
  'trackback-listing': 'TrackBack listing',
  'pingback-listing': 'Pingback listing',
};

function endpoint(label: string, url: string | null): SafeHtml {
  return html`<dt>${label}</dt><dd>${url ? html`<a href="${url}" rel="nofollow ugc noopener">${url}</a>` : html`<span class="none">not found</span>`}</dd>`;
}

/** Renders /blogs/:id: discovery results, poll status per source, newest entries. */
export function renderBlogPage(row: BlogRow, sources: Source[], entries: EntryWithBlog[], now: Date, notice?: string): string {
  const { blog, health } = row;
  const name = blog.title ?? displayUrl(blog.homeUrl);
  const body = html`<h1>${name}</h1>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<p><a href="${blog.homeUrl}" rel="nofollow ugc noopener">${blog.homeUrl}</a></p>
${blog.description ? html`<p class="lede">${blog.description}</p>` : ''}
<section>
  <h2>Health</h2>
  <dl class="facts">
    <dt>Status</dt><dd><span class="status status-${health.status}">${statusLabel[health.status]}</span></dd>
    <dt>Last poll</dt><dd>${when(health.lastCheckedAt, now)}</dd>
    <dt>Last success</dt><dd>${when(health.lastSuccessAt, now)}</dd>
    <dt>Next check</dt><dd>${health.status === 'disabled' ? '—' : when(health.nextCheckAt, now)}</dd>
    ${health.lastError ? html`<dt>Last error</dt><dd class="error">${health.lastError}${health.lastErrorAt ? html` (${when(health.lastErrorAt, now)})` : ''}</dd>` : ''}
  </dl>
</section>
<section>
  <h2>What Palaver found</h2>
  <dl class="facts">
    ${sources.filter((s) => s.kind === 'feed' || s.kind === 'site-comments').map((s) => endpoint(sourceKindLabel[s.kind], s.url))}
    ${endpoint('Pingback endpoint', blog.pingbackEndpoint)}
    ${endpoint('Webmention endpoint', blog.webmentionEndpoint)}
    ${endpoint('RSD document', blog.rsdUrl)}
    ${endpoint('TrackBack ping URL', blog.trackbackPingUrl)}
  </dl>
  ${blog.discoveryNotes.length ? html`<ul class="notes">${blog.discoveryNotes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
</section>
<section>
  <h2>Sources</h2>
  <table class="sources">
    <thead><tr><th scope="col">Source</th><th scope="col">Last poll</th><th scope="col">Answer</th><th scope="col">Next check</th></tr></thead>
    <tbody>${sources.map(
      (s) => html`<tr>
      <td>${sourceKindLabel[s.kind]}<br><small><a href="${s.url}" rel="nofollow ugc noopener">${displayUrl(s.url)}</a></small></td>
      <td>${when(s.lastCheckedAt, now)}</td>
      <td>${s.disabledAt ? html`<span class="error">stopped: ${s.disabledReason ?? ''}</span>` : s.lastError ? html`<span class="error">${s.lastError}</span>` : s.lastStatus ? `HTTP ${s.lastStatus}` : '—'}</td>
      <td>${s.disabledAt ? '—' : when(s.nextCheckAt, now)}</td>
    </tr>`,
    )}</tbody>
  </table>
</section>
<section>
  <h2>Newest entries</h2>
  ${entries.length
    ? html`<ol class="entries compact">${entries.map(
        (e) => html`<li><a href="${e.url ?? '#'}" rel="nofollow ugc noopener">${e.title || e.excerpt || '(untitled)'}</a> <small>${e.kind}${e.authorName ? html` · ${e.authorName}` : ''} · ${when(e.sortAt, now)}</small></li>`,
      )}</ol>`
    : html`<p>No entries yet.</p>`}
</section>`;
  return renderLayout({ title: `${name} – Palaver`, section: 'blogs', body });
}
