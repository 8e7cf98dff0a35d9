// The moderation page: pings waiting for a decision, with approve, reject and block buttons,
// and the token form that opens it.
import type { Ping } from '../store/pings.ts';
import { formatDateTime } from './format.ts';
import { html } from './html.ts';
import { renderLayout } from './layout.ts';

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

/** Renders the held pings with their actions. */
export function renderAdminPage(held: Ping[], notice: string | null): string {
  return renderLayout({
    title: 'Moderation · Palaver',
    body: html`<h1>Moderation</h1>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<p class="lede">${held.length} ${held.length === 1 ? 'ping waits' : 'pings wait'} for a decision. Approving trusts the sending host; blocking refuses all its pings.</p>
<ol class="pings">${held.map(
      (p) => html`<li><article class="ping">
  <h2>${p.title ?? p.sourceUrl}</h2>
  <p class="meta">${p.protocol} from <a href="${p.sourceUrl}" rel="nofollow ugc noopener">${p.sourceUrl}</a> to <a href="${p.targetUrl}" rel="nofollow ugc noopener">${p.targetUrl}</a> · <time datetime="${p.updatedAt}">${formatDateTime(p.updatedAt)}</time></p>
  ${p.excerpt ? html`<p class="excerpt">${p.excerpt}</p>` : ''}
  <form method="post" action="/admin/pings/${p.id}/approve"><button type="submit">Approve</button></form>
  <form method="post" action="/admin/pings/${p.id}/reject"><button type="submit">Reject</button></form>
  <form method="post" action="/admin/hosts/${p.sourceHost}/block"><button type="submit">Block ${p.sourceHost}</button></form>
</article></li>`,
    )}</ol>`,
  });
}
