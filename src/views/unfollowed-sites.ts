// The sites that joined debates without being followed: "Also in this debate" beside a
// conversation, the suggested blogs on /blogs, and the blogs Palaver followed by itself with why
// (and, for the operator, a button to undo each). Every follow button posts the ordinary
// registration form, so it discovers, registers and answers as registering by hand does.
import type { AutoFollow, UnfollowedSite } from '../domain/models.ts';
import { timeElement, type DateContext } from './dates.ts';
import { html, type SafeHtml } from './html.ts';
import { formatNumber, type Locale } from './i18n.ts';

interface SiteWords {
  alsoTitle: string;
  alsoText: string;
  suggestedTitle: string;
  suggestedText: string;
  /** In place of the suggested blogs while the tally thread is too busy to rank them. */
  suggestedCounting: string;
  autoTitle: string;
  autoText: (on: boolean) => string;
  follow: string;
  followSite: (site: string) => string;
  pinged: (n: string, count: number) => string;
  linked: (n: string, count: number, blogs: string, blogCount: number) => string;
  debates: (n: string, count: number) => string;
  newest: string;
  more: (n: string) => string;
  reason: (a: AutoFollow) => string;
  undone: string;
  undo: string;
  earlier: string;
  later: string;
}

const en: SiteWords = {
  alsoTitle: 'Also in this debate',
  alsoText: 'Sites Palaver does not follow that pinged this debate or that its posts link to.',
  suggestedTitle: 'Suggested blogs',
  suggestedText: 'Sites Palaver does not follow that joined debates anyway, by how many debates and followed blogs point at them.',
  suggestedCounting: 'The suggested blogs are being counted; reload the page in a moment to see them.',
  autoTitle: 'Followed automatically',
  autoText: (on) => (on ? 'Palaver follows a site by itself once enough followed blogs link to it or it sent a verified ping.' : 'Automatic following is off (registry.autoFollow); these were followed while it was on.'),
  follow: 'Follow this blog',
  followSite: (site) => `Follow ${site}`,
  pinged: (n, count) => `pinged ${n} ${count === 1 ? 'time' : 'times'}`,
  linked: (n, count, blogs, blogCount) => `linked ${n} ${count === 1 ? 'time' : 'times'} from ${blogs} followed ${blogCount === 1 ? 'blog' : 'blogs'}`,
  debates: (n, count) => `in ${n} ${count === 1 ? 'debate' : 'debates'}`,
  newest: 'newest',
  more: (n) => `and ${n} more on the list of suggested blogs`,
  reason: (a) =>
    a.reason === 'ping'
      ? `sent a verified ping${a.linkingBlogCount ? ` and is linked from ${a.linkingBlogCount} followed ${a.linkingBlogCount === 1 ? 'blog' : 'blogs'}` : ''}`
      : `linked from ${a.linkingBlogCount} followed ${a.linkingBlogCount === 1 ? 'blog' : 'blogs'}`,
  undone: 'undone',
  undo: 'Undo',
  earlier: 'Earlier',
  later: 'More',
};

const de: SiteWords = {
  alsoTitle: 'Auch in dieser Debatte',
  alsoText: 'Seiten, denen Palaver nicht folgt, die diese Debatte angepingt haben oder auf die ihre Beiträge verlinken.',
  suggestedTitle: 'Vorgeschlagene Blogs',
  suggestedText: 'Seiten, denen Palaver nicht folgt, die trotzdem an Debatten teilnahmen, danach geordnet, wie viele Debatten und gefolgte Blogs auf sie zeigen.',
  suggestedCounting: 'Die vorgeschlagenen Blogs werden gerade gezählt; laden Sie die Seite gleich neu, um sie zu sehen.',
  autoTitle: 'Automatisch gefolgt',
  autoText: (on) => (on ? 'Palaver folgt einer Seite von selbst, sobald genug gefolgte Blogs auf sie verlinken oder sie einen geprüften Ping schickte.' : 'Automatisches Folgen ist aus (registry.autoFollow); diesen Seiten folgte Palaver, als es an war.'),
  follow: 'Diesem Blog folgen',
  followSite: (site) => `${site} folgen`,
  pinged: (n) => `${n}-mal angepingt`,
  linked: (n, _count, blogs, blogCount) => `${n}-mal verlinkt von ${blogs} gefolgten ${blogCount === 1 ? 'Blog' : 'Blogs'}`,
  debates: (n, count) => `in ${n} ${count === 1 ? 'Debatte' : 'Debatten'}`,
  newest: 'zuletzt',
  more: (n) => `und ${n} weitere in der Liste der vorgeschlagenen Blogs`,
  reason: (a) =>
    a.reason === 'ping'
      ? `schickte einen geprüften Ping${a.linkingBlogCount ? ` und wird von ${a.linkingBlogCount} gefolgten Blogs verlinkt` : ''}`
      : `verlinkt von ${a.linkingBlogCount} gefolgten ${a.linkingBlogCount === 1 ? 'Blog' : 'Blogs'}`,
  undone: 'rückgängig gemacht',
  undo: 'Rückgängig',
  earlier: 'Zurück',
  later: 'Weitere',
};

function wordsFor(locale: Locale): SiteWords {
  return locale === 'de' ? de : en;
}

const outbound = 'nofollow ugc noopener';

// The ordinary registration, started from the site's newest page (discovery finds the blog from a post).
function followForm(site: UnfollowedSite, w: SiteWords): SafeHtml {
  return html`<form class="follow" method="post" action="/blogs"><input type="hidden" name="url" value="${site.newestUrl}"><button type="submit" aria-label="${w.followSite(site.site)}">${w.follow}</button></form>`;
}

function siteItem(site: UnfollowedSite, w: SiteWords, locale: Locale, dates: DateContext, withDebates: boolean): SafeHtml {
  const n = (x: number) => formatNumber(x, locale);
  const facts = [
    withDebates ? w.debates(n(site.debateCount), site.debateCount) : '',
    site.pingCount ? w.pinged(n(site.pingCount), site.pingCount) : '',
    site.linkCount ? w.linked(n(site.linkCount), site.linkCount, n(site.linkingBlogCount), site.linkingBlogCount) : '',
  ].filter(Boolean);
  return html`<li class="site" data-site="${site.site}">
<p class="site-name"><strong>${site.name ?? site.site}</strong>${site.name ? html` <small>${site.site}</small>` : ''}</p>
<p class="meta">${facts.join(' · ')} · ${w.newest}: <a href="${site.newestUrl}" rel="${outbound}">${site.newestTitle ?? site.newestUrl}</a> ${timeElement(site.newestAt, dates, { withTime: false })}</p>
${followForm(site, w)}
</li>`;
}

/** Renders "Also in this debate": the first sites of a conversation's list, and how many more there are. */
export function renderAlsoInDebate(sites: UnfollowedSite[], total: number, locale: Locale, dates: DateContext): SafeHtml {
  if (sites.length === 0) return html``;
  const w = wordsFor(locale);
  return html`<section class="also-in-debate" aria-labelledby="also-title">
<h2 id="also-title">${w.alsoTitle}</h2>
<p class="hint">${w.alsoText}</p>
<ul class="sites">${sites.map((s) => siteItem(s, w, locale, dates, false))}</ul>
${total > sites.length ? html`<p class="hint"><a href="/blogs#suggested">${w.more(formatNumber(total - sites.length, locale))}</a></p>` : ''}
</section>`;
}

function pager(page: { offset: number; size: number; hasMore: boolean }, href: (offset: number) => string, w: SiteWords): SafeHtml | string {
  if (page.offset === 0 && !page.hasMore) return '';
  return html`<nav class="pager">${page.offset > 0 ? html`<a href="${href(Math.max(0, page.offset - page.size))}" rel="prev">${w.earlier}</a>` : html`<span></span>`}${page.hasMore ? html`<a href="${href(page.offset + page.size)}" rel="next">${w.later}</a>` : html`<span></span>`}</nav>`;
}

/**
 * Renders one page of suggested blogs for /blogs, with links to the neighbouring pages; with
 * `sites` null (the tally thread too busy to rank them now), a note to reload in a moment.
 */
export function renderSuggestedSites(sites: UnfollowedSite[] | null, page: { offset: number; size: number; hasMore: boolean }, locale: Locale, dates: DateContext): SafeHtml {
  const w = wordsFor(locale);
  if (sites === null) {
    return html`<section id="suggested" class="suggested" aria-labelledby="suggested-title">
<h2 id="suggested-title">${w.suggestedTitle}</h2>
<p class="notice" role="status">${w.suggestedCounting}</p>
</section>`;
  }
  if (sites.length === 0 && page.offset === 0) return html``;
  const href = (offset: number) => (offset > 0 ? `/blogs?suggested=${offset}#suggested` : '/blogs#suggested');
  return html`<section id="suggested" class="suggested" aria-labelledby="suggested-title">
<h2 id="suggested-title">${w.suggestedTitle}</h2>
<p class="hint">${w.suggestedText}</p>
<ul class="sites">${sites.map((s) => siteItem(s, w, locale, dates, true))}</ul>
${pager(page, href, w)}
</section>`;
}

/** Renders one page of the blogs Palaver followed by itself, why, and (for the operator) a form to undo each. */
export function renderAutoFollows(
  follows: AutoFollow[],
  options: { page: { offset: number; size: number; hasMore: boolean }; enabled: boolean; csrf: string | null; locale: Locale; dates: DateContext },
): SafeHtml {
  if (follows.length === 0 && options.page.offset === 0) return html``;
  const w = wordsFor(options.locale);
  return html`<section id="auto-follows" class="auto-follows" aria-labelledby="auto-title">
<h2 id="auto-title">${w.autoTitle}</h2>
<p class="hint">${w.autoText(options.enabled)}</p>
<ul class="sites">${follows.map(
    (a) => html`<li class="site" data-site="${a.site}">
<p class="site-name">${a.blog ? html`<a href="/blogs/${a.blog.id}">${a.blog.title ?? a.site}</a>` : html`<strong>${a.site}</strong>`} <small>${a.site}</small></p>
<p class="meta">${w.reason(a)} · ${timeElement(a.createdAt, options.dates, { withTime: false })}${a.status === 'undone' ? html` · <span class="undone">${w.undone}</span>` : ''}</p>
${a.status === 'followed' && options.csrf ? html`<form class="follow" method="post" action="/admin/auto-follows/${a.id}/undo"><input type="hidden" name="csrf" value="${options.csrf}"><button type="submit">${w.undo}</button></form>` : ''}
</li>`,
  )}</ul>
${pager(options.page, (offset) => (offset > 0 ? `/blogs?followed=${offset}#auto-follows` : '/blogs#auto-follows'), w)}
</section>`;
}
