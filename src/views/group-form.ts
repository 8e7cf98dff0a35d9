// The form that creates a group (/groups/new), for the operator: its name and dates, an OPML
// list to upload or paste (blogs not registered yet are registered), and registered blogs to
// pick; after creating, the OPML import's report and a link to the group.
import type { Blog } from '../domain/models.ts';
import { displayUrl } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { renderLayout } from './layout.ts';
import { renderReport } from './opml-import.ts';
import type { ImportReport } from '../registry/import-opml.ts';

/** What the form shows again after an error: the fields as they were sent. */
export interface GroupFormValues {
  slug?: string;
  title?: string;
  description?: string;
  lang?: string;
  from?: string;
  to?: string;
  timeZone?: string;
  opml?: string;
  blogs?: string;
  picked?: number[];
}

export interface GroupFormView {
  /** The admin session's CSRF token; null when nobody is logged in (the form is not offered). */
  csrf: string | null;
  adminEnabled: boolean;
  /** Registered blogs to pick from (the first ones of the registry). */
  registered: Blog[];
  /** More registered blogs than the form lists: name those by address or id. */
  moreRegistered: boolean;
  values?: GroupFormValues;
  error?: string;
  /** After creating: the group, the import's report, blogs named that could not be picked. */
  created?: { slug: string; title: string; memberCount: number; report: ImportReport | null; unpicked: { ref: string; reason: string }[] };
  defaultTimeZone: string;
  maxEntries: number;
}

function field(id: string, label: string, value: string | undefined, attrs: SafeHtml | string = '', hint = ''): SafeHtml {
  return html`<p class="form-field"><label for="${id}">${label}</label><input id="${id}" name="${id}" value="${value ?? ''}"${attrs}>${hint ? html`<small>${hint}</small>` : ''}</p>`;
}

/** Renders /groups/new: the form, or what creating the group gave. */
export function renderGroupForm(view: GroupFormView): string {
  const title = view.error ? 'Error: Create a group – Palaver' : 'Create a group – Palaver';
  const closed = view.adminEnabled
    ? html`<p class="notice" role="note">Creating a group may make Palaver visit every blog of its list, so it is for the operator: <a href="/admin">log in with the admin token</a> first, or run <code>npx palaver group create &lt;slug&gt; --opml list.opml</code>.</p>`
    : html`<p class="notice" role="note">Creating a group may make Palaver visit every blog of its list, so it is for the operator: run <code>npx palaver group create &lt;slug&gt; --opml list.opml</code> (over the web it needs <code>PALAVER_ADMIN_TOKEN</code>).</p>`;
  const created = view.created
    ? html`<section aria-labelledby="created">
<h2 id="created">Created <a href="/g/${view.created.slug}">${view.created.title}</a></h2>
<p role="status">The group holds ${view.created.memberCount} ${view.created.memberCount === 1 ? 'blog' : 'blogs'}: <a href="/g/${view.created.slug}">/g/${view.created.slug}</a>.</p>
${view.created.unpicked.length ? html`<ul class="import-failures">${view.created.unpicked.map((u) => html`<li>${u.ref}: ${u.reason}</li>`)}</ul>` : ''}
${view.created.report ? renderReport(view.created.report) : ''}
</section>`
    : '';
  if (!view.csrf) {
    return renderLayout({ title, section: 'groups', body: html`<h1>Create a group</h1>${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}${closed}` });
  }
  const v = view.values ?? {};
  const picked = new Set(v.picked ?? []);
  const body = html`<h1>Create a group</h1>
${created}
<form class="register group-form" method="post" action="/groups/new" enctype="multipart/form-data" novalidate>
  <input type="hidden" name="csrf" value="${view.csrf}">
  ${view.error ? html`<p id="group-error" class="error" role="alert">${view.error}</p>` : ''}
  ${field('slug', 'Slug (its address: /g/<slug>)', v.slug, html` required pattern="[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?" autocomplete="off" placeholder="social-media-camp-2008"`)}
  ${field('title', 'Title', v.title, html` maxlength="200"`, 'Without one, the OPML list’s title, else the slug.')}
  <p class="form-field"><label for="description">What it is about</label><textarea id="description" name="description" rows="3" maxlength="2000">${v.description ?? ''}</textarea></p>
  <fieldset><legend>An event (optional: both days or neither)</legend>
  ${field('from', 'First day', v.from, html` type="date"`)}
  ${field('to', 'Last day', v.to, html` type="date"`)}
  ${field('timeZone', 'Time zone of its days', v.timeZone, html` placeholder="${view.defaultTimeZone}"`, `Default: ${view.defaultTimeZone}.`)}
  </fieldset>
  ${field('lang', 'Language its blogs write in', v.lang, html` maxlength="35" placeholder="de"`)}
  <fieldset><legend>Blogs from an OPML list (not registered yet: registered now, four at a time)</legend>
  <p class="form-field"><label for="opmlFile">Upload an OPML file</label><input id="opmlFile" name="opmlFile" type="file" accept=".opml,.xml,text/x-opml,text/xml,application/xml"></p>
  <p class="form-field"><label for="opml">or paste it</label><textarea id="opml" name="opml" rows="6" spellcheck="false">${v.opml ?? ''}</textarea></p>
  <p class="hint">One list takes at most ${view.maxEntries} blogs; nested outlines are fine.</p>
  </fieldset>
  <fieldset><legend>Registered blogs</legend>
  ${view.registered.length
    ? html`<ul class="pick">${view.registered.map(
        (b) => html`<li><label><input type="checkbox" name="pick" value="${b.id}"${picked.has(b.id) ? html` checked` : ''}> ${b.title ?? displayUrl(b.homeUrl)} <small>${displayUrl(b.homeUrl)}</small></label></li>`,
      )}</ul>`
    : html`<p class="hint">No blogs are registered yet.</p>`}
  <p class="form-field"><label for="blogs">${view.moreRegistered ? 'More registered blogs (the list above shows the first ones): ' : 'Or name registered blogs: '}addresses or ids, one a line</label><textarea id="blogs" name="blogs" rows="3" spellcheck="false">${v.blogs ?? ''}</textarea></p>
  </fieldset>
  <button type="submit">Create the group</button>
</form>`;
  return renderLayout({ title, section: 'groups', body });
}
