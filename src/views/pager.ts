// The numbered pager of a list read a page at a time: earlier, "Page n of m", later.
import { html, type SafeHtml } from './html.ts';
import { formatNumber, type Locale, type Messages } from './i18n.ts';

/** Renders the pager of page `page` of `pageCount`, each page's address from `href`; nothing for one page. */
export function renderNumberedPager(page: number, pageCount: number, href: (page: number) => string, t: Messages, locale: Locale): SafeHtml | string {
  if (pageCount <= 1) return '';
  return html`<nav class="pager" aria-label="${t.pagerLabel}">${page > 1 ? html`<a href="${href(page - 1)}" rel="prev">${t.earlierPage}</a>` : html`<span></span>`}<span class="page-number">${t.pageOfTotal(formatNumber(page, locale), formatNumber(pageCount, locale))}</span>${page < pageCount ? html`<a href="${href(page + 1)}" rel="next">${t.laterPage}</a>` : html`<span></span>`}</nav>`;
}
