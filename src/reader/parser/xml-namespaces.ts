// Namespaces: real feeds bind the usual namespaces to unusual prefixes (FeedBurner's
// atom10:link), and xml2js keys elements by the prefix as written, so prefixes are mapped to
// the usual ones before rss-parser reads them.
import type { ParsedFeedFormat } from '../types.ts';

const usualPrefixByNamespace: Record<string, string> = {
  'http://www.w3.org/2005/Atom': 'atom',
  'http://purl.org/atom/ns#': 'atom',
  'http://wellformedweb.org/CommentAPI/': 'wfw',
  'http://purl.org/rss/1.0/modules/slash/': 'slash',
  'http://purl.org/syndication/thread/1.0': 'thr',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://madskills.com/public/xml/rss/module/trackback/': 'trackback',
  'http://purl.org/rss/1.0/modules/syndication/': 'sy',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://www.w3.org/1999/xhtml': 'xhtml',
  'http://purl.org/rss/1.0/': '',
  'http://my.netscape.com/rdf/simple/0.9/': '',
};

function normaliseNamespaceUri(uri: string): string {
  return uri.trim().replace(/\/$/, '');
}

const usualPrefix = new Map(Object.entries(usualPrefixByNamespace).map(([uri, prefix]) => [normaliseNamespaceUri(uri), prefix]));

/** Maps the prefixes a document binds to known namespaces onto the usual ones, where they differ. */
export function prefixRenames(text: string, format: ParsedFeedFormat): Map<string, string> {
  const renames = new Map<string, string>();
  const seen = new Set<string>();
  for (const match of text.matchAll(/\bxmlns:([A-Za-z_][\w.-]*)\s*=\s*(["'])([^"']*)\2/g)) {
    const prefix = match[1]!;
    if (seen.has(prefix)) continue;
    seen.add(prefix);
    let wanted = usualPrefix.get(normaliseNamespaceUri(match[3]!));
    if (wanted === undefined) continue;
    // Inside an Atom document Atom elements are unprefixed (<atom:feed xmlns:atom=…> exists).
    if (wanted === 'atom' && format === 'atom') wanted = '';
    if (wanted !== prefix) renames.set(prefix, wanted);
  }
  return renames;
}

/** Turns prefix renames into an xml2js name processor ("atom10:link" to "atom:link"). */
export function renameProcessor(renames: Map<string, string>): (name: string) => string {
  return (name) => {
    const colon = name.indexOf(':');
    if (colon < 0) return name;
    const wanted = renames.get(name.slice(0, colon));
    if (wanted === undefined) return name;
    return wanted ? `${wanted}:${name.slice(colon + 1)}` : name.slice(colon + 1);
  };
}

/**
 * rss-parser builds a "snippet" of description, content and content:encoded with a regex that
 * takes quadratic time on "<p" without ">" (120 KB of it: 12 s). Palaver never uses snippets, so
 * these elements reach rss-parser under names it does not know ("#" cannot occur in XML names).
 */
const hiddenFromRssParser = new Set(['description', 'content', 'content:encoded', 'summary']);

/** Renames the elements rss-parser would read by itself, so that only Palaver reads them. */
export function hideFromRssParser(name: string): string {
  return hiddenFromRssParser.has(name) ? `#${name}` : name;
}
