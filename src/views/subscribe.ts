// The visible "subscribe" line of a page: its feeds in the three formats, as the conversation
// page shows them (the <head> announces them too, but people do not read the head).
import { html, type SafeHtml } from './html.ts';

const formats = [
  { ext: 'atom', type: 'application/atom+xml', label: 'Atom' },
  { ext: 'rss', type: 'application/rss+xml', label: 'RSS' },
  { ext: 'json', type: 'application/feed+json', label: 'JSON Feed' },
] as const;

/**
 * Renders "label: Atom · RSS · JSON Feed" linking to `<basePath>/feed.<format>`, then any `more`
 * links (a group's list of blogs as OPML).
 */
export function renderSubscribeLinks(basePath: string, label: string, more: { href: string; type: string; label: string }[] = []): SafeHtml {
  const links = [...formats.map((f) => ({ href: `${basePath}/feed.${f.ext}`, type: f.type, label: f.label })), ...more];
  return html`<p class="feeds subscribe">${label}: ${links.map((f, i) => html`${i ? ' · ' : ''}<a href="${f.href}" type="${f.type}">${f.label}</a>`)}</p>`;
}
