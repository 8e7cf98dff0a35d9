// The OPML import page: a form to paste a list of blogs, and after an import one line per
// outline (registered, already there, failed with the reason, duplicate) with a summary.
import { importOutcomeWords, type ImportLine, type ImportReport } from '../registry/import-opml.ts';
import { displayUrl } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { renderLayout } from './layout.ts';

export interface OpmlImportView {
  /** What was pasted, shown again after an error. */
  text?: string;
  report?: ImportReport;
  /** The document could not be read as OPML at all. */
  error?: string;
  /** The admin session's CSRF token; null when nobody is logged in (the form is not offered). */
  csrf: string | null;
  /** Whether an admin token is configured at all. */
  adminEnabled: boolean;
  /** Blogs one import may name. */
  maxEntries: number;
}

function renderLine(line: ImportLine): SafeHtml {
  const name = line.blogId !== null ? html`<a href="/blogs/${line.blogId}">${line.blogTitle ?? line.title}</a>` : line.title;
  return html`<li class="import-${line.outcome}"><strong>${importOutcomeWords[line.outcome]}</strong>: ${name}${line.url && line.url !== line.title ? html` <small>${displayUrl(line.url)}</small>` : ''}${line.outcome === 'failed' && line.reason ? html` <span class="error">— ${line.reason}</span>` : ''}</li>`;
}

/**
 * Lines one report lists, each list: every blog an import may register (registry.maxImportEntries
 * is far below) and the first of the outlines it could not use. A list of 49,000 empty outlines
 * made a page of 10 MB that took 0.2 s to render; the summary counts them all.
 */
export const shownReportLines = 500;

function notShown(count: number): SafeHtml | string {
  return count > 0 ? html`<p class="hint">… and ${count.toLocaleString('en')} more, not listed here.</p>` : '';
}

/** Renders an import's report: a summary line, a line per outline, the failures again. */
export function renderReport(report: ImportReport): SafeHtml {
  const failures = report.lines.filter((l) => l.outcome === 'failed');
  return html`<section aria-labelledby="import-result">
  <h2 id="import-result">${report.listTitle ? html`Imported “${report.listTitle}”` : 'Imported'}</h2>
  <p role="status">${report.registered} registered, ${report.known} already there, ${report.failed} failed, ${report.duplicates} ${report.duplicates === 1 ? 'duplicate' : 'duplicates'} skipped.${report.registered ? ' Palaver polls the new blogs in a moment.' : ''}</p>
  <ol class="import-lines">${report.lines.slice(0, shownReportLines).map(renderLine)}</ol>
  ${notShown(report.lines.length - shownReportLines)}
  ${failures.length ? html`<h3>Failures</h3><ul class="import-failures">${failures.slice(0, shownReportLines).map((f) => html`<li>${f.title}${f.url && f.url !== f.title ? html` (${f.url})` : ''}: ${f.reason ?? 'unknown error'}</li>`)}</ul>${notShown(failures.length - shownReportLines)}` : ''}
</section>`;
}

/** Renders /blogs/import: the paste form and, after an import, its results. */
export function renderOpmlImport(view: OpmlImportView): string {
  const form = view.csrf
    ? html`<form method="post" action="/blogs/import" novalidate>
    <input type="hidden" name="csrf" value="${view.csrf}">`
    : null;
  const closed = view.adminEnabled
    ? html`<p class="notice" role="note">Importing a list makes Palaver visit every blog on it, so it is for the operator: <a href="/admin">log in with the admin token</a> first, or run <code>npx palaver import-opml &lt;file&gt;</code>.</p>`
    : html`<p class="notice" role="note">Importing a list makes Palaver visit every blog on it, so it is for the operator: run <code>npx palaver import-opml &lt;file&gt;</code> (over the web it needs <code>PALAVER_ADMIN_TOKEN</code>).</p>`;
  if (!form) {
    return renderLayout({
      title: view.error ? 'Error: Import blogs – Palaver' : 'Import blogs – Palaver',
      section: 'blogs',
      body: html`<h1>Import blogs from OPML</h1>${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}${closed}`,
    });
  }
  const body = html`<h1>Import blogs from OPML</h1>
${view.report ? renderReport(view.report) : ''}
<section class="register">
  ${form}
    <label for="opml">An OPML list of blogs (as feed readers and event organisers export them); nested groups are fine</label>
    <textarea id="opml" name="opml" rows="14" required spellcheck="false"${view.error ? html` aria-invalid="true" aria-describedby="opml-error"` : ''}>${view.text ?? ''}</textarea>
    ${view.error ? html`<p id="opml-error" class="error" role="alert">${view.error}</p>` : ''}
    <button type="submit">Import</button>
  </form>
  <p class="hint">Each outline is registered by its feed (xmlUrl), or by its home page (htmlUrl) when the feed does not lead to a blog; one import takes at most ${view.maxEntries} blogs. The registry is also available as <a href="/blogs.opml">OPML</a>.</p>
</section>`;
  return renderLayout({ title: view.error ? 'Error: Import blogs – Palaver' : 'Import blogs – Palaver', section: 'blogs', body });
}
