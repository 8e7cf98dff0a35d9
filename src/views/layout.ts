// The page frame every HTML page shares: head, navigation, footer.
import { html, type SafeHtml } from './html.ts';

export interface LayoutOptions {
  title: string;
  body: SafeHtml;
  /** Which navigation item is current. */
  section?: 'home' | 'blogs' | null;
  head?: SafeHtml;
}

/** Renders a complete HTML document around a page body. */
export function renderLayout(options: LayoutOptions): string {
  const nav = (href: string, label: string, key: LayoutOptions['section']) =>
    html`<a href="${href}"${options.section === key ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title}</title>
<link rel="stylesheet" href="/assets/palaver.css">
${options.head ?? ''}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site">
  <a class="brand" href="/">Palaver</a>
  <nav aria-label="Main">${nav('/', 'Conversations', 'home')} ${nav('/blogs', 'Blogs', 'blogs')}</nav>
</header>
<main id="main">
${options.body}
</main>
<footer class="site"><p>Palaver follows debates across blogs: posts, comments and linkbacks in one place.</p></footer>
</body>
</html>
`.value;
}
