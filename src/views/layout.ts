// The page frame every HTML page shares: head, navigation with the language switch, footer.
import { html, type SafeHtml } from './html.ts';
import { groupWordsFor } from './group-words.ts';
import { defaultLocale, messagesFor, type Locale } from './i18n.ts';

export interface LayoutOptions {
  title: string;
  body: SafeHtml;
  /** Which navigation item is current. */
  section?: 'home' | 'blogs' | 'groups' | null;
  head?: SafeHtml;
  /** The interface language of the page (its <html lang>). */
  locale?: Locale;
  /** This page's address in the other language (the switch); without it the switch links home. */
  switchHref?: string;
  /** Feeds of this page, for autodiscovery (`<link rel="alternate">`). */
  alternates?: FeedAlternate[];
  /** Which zone the page's times are in, for pages that show times. */
  timeZoneNote?: string;
}

export interface FeedAlternate {
  type: string;
  href: string;
  title: string;
}

/** Renders a complete HTML document around a page body. */
export function renderLayout(options: LayoutOptions): string {
  const locale = options.locale ?? defaultLocale;
  const t = messagesFor(locale);
  const other: Locale = locale === 'de' ? 'en' : 'de';
  const nav = (href: string, label: string, key: LayoutOptions['section']) =>
    html`<a href="${href}"${options.section === key ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title}</title>
<link rel="stylesheet" href="/assets/palaver.css">
<link rel="icon" href="/assets/palaver.svg" type="image/svg+xml">
<script src="/assets/palaver.js" defer></script>
${(options.alternates ?? []).map((a) => html`<link rel="alternate" type="${a.type}" href="${a.href}" title="${a.title}">
`)}${options.head ?? ''}
</head>
<body>
<a class="skip" href="#main">${t.skipToContent}</a>
<header class="site">
  <a class="brand" href="/">Palaver</a>
  <nav aria-label="${t.navMain}">${nav('/', t.navConversations, 'home')} ${nav('/blogs', t.navBlogs, 'blogs')} ${nav('/groups', groupWordsFor(locale).navGroups, 'groups')}</nav>
  <a class="lang-switch" href="${options.switchHref ?? `/?lang=${other}`}" hreflang="${other}" lang="${other}" rel="alternate"><span class="visually-hidden">${t.languageSwitch}: </span>${t.otherLanguageName}</a>
</header>
<main id="main">
${options.body}
</main>
<footer class="site">${options.timeZoneNote ? html`<p class="time-zone">${options.timeZoneNote}</p>` : ''}<p>${t.siteDescription}</p></footer>
</body>
</html>
`.value;
}
