// Ping discovery written into our pages: the pingback and webmention links in the head and,
// per entry, the TrackBack RDF block inside an HTML comment, as the TrackBack spec shows it.
import { escapeHtml, html, type SafeHtml, trustedHtml } from './html.ts';

/** Renders the head links through which blogs find Palaver's ping endpoints. */
export function renderPingLinks(publicUrl: string): SafeHtml {
  // Pingback 1.0 §2.2: clients may match exactly `<link rel="pingback" href="..." />`.
  return html`<link rel="pingback" href="${publicUrl}/xmlrpc" />
<link rel="webmention" href="${publicUrl}/webmention">
`;
}

/** Renders an entry's TrackBack RDF (in an HTML comment) for auto-discovering clients. */
export function renderTrackbackRdf(options: { pageUrl: string; title: string; pingUrl: string }): SafeHtml {
  // Inside a comment "--" would end it early; titles come from strangers.
  const attr = (v: string) => escapeHtml(v).replace(/--/g, '&#45;&#45;');
  return trustedHtml(`<!--
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dc="http://purl.org/dc/elements/1.1/"
         xmlns:trackback="http://madskills.com/public/xml/rss/module/trackback/">
<rdf:Description rdf:about="${attr(options.pageUrl)}" dc:identifier="${attr(options.pageUrl)}" dc:title="${attr(options.title)}" trackback:ping="${attr(options.pingUrl)}" />
</rdf:RDF>
-->`);
}
