// Atom 1.0 (RFC 4287) and Atom 0.3: the text repaired where real feeds need it (inline xhtml
// content, links written RSS-style), read by rss-parser and turned into a ParsedFeed. An Atom
// entry is named by its id and its alternate link; text constructs without a type are text.
import { collapseText } from '../feed-values.ts';
import type { FeedItem, ParsedFeed } from '../types.ts';
import type { Raw } from './rss-parser.ts';
import type { RootTag } from './sniff.ts';
import { completeFeed, completeItem, emptyFeed, readAuthor, type FeedContext } from './xml-item.ts';
import { alternateOf, attrOf, fieldText, firstOf, nestBase, own, readLinks } from './xml-nodes.ts';
import { readFeedXml, withoutControls } from './xml-read.ts';
import { atomLinksWithAttributes, inlineMarkupToCdata } from './xml-repairs.ts';

function readEntry(entry: Raw, context: FeedContext): FeedItem {
  const base = nestBase(context.base, attrOf(entry, 'xml:base'));
  // An Atom link written as text (<link>URL</link>) carries its URL where the href should be.
  const links = [...readLinks(own(entry, 'xLinks'), base.url, true), ...readLinks(own(entry, 'xAtomLinks'), base.url)];
  return completeItem(entry, context, {
    base,
    links,
    guid: collapseText(fieldText(entry, 'xId')),
    url: alternateOf(links),
    contentNode: firstOf(own(entry, 'xContent')) ?? firstOf(own(entry, 'xXhtmlBody')) ?? firstOf(own(entry, 'xBody')) ?? firstOf(own(entry, 'xFullitem')),
    summaryNode: firstOf(own(entry, 'xSummary')),
  });
}

/** Parses the text of an Atom feed whose root element was sniffed. Throws FeedParseError 'malformed'. */
export async function parseAtomFeed(source: string, root: RootTag, feedUrl: string): Promise<ParsedFeed> {
  const warnings: string[] = [];
  let xml = withoutControls(source, warnings);
  if (root.selfClosing) return emptyFeed('atom', warnings);
  xml = atomLinksWithAttributes(inlineMarkupToCdata(xml).text);
  const raw = await readFeedXml(xml, 'atom', warnings);

  const base = nestBase({ url: feedUrl, declared: false }, attrOf(raw, 'xml:base'));
  const links = [...readLinks(own(raw, 'xLinks'), base.url, true), ...readLinks(own(raw, 'xAtomLinks'), base.url)];
  const lang = collapseText(attrOf(raw, 'xml:lang')) ?? collapseText(fieldText(raw, 'xLanguage')) ?? collapseText(fieldText(raw, 'xDcLanguage'));
  const author = readAuthor(raw, base.url);
  const context: FeedContext = { format: 'atom', base, lang, authorName: author.name, authorUrl: author.url, textKind: 'text' };
  const descriptionNode = firstOf(own(raw, 'xSubtitle')) ?? firstOf(own(raw, 'xTagline'));
  return completeFeed(raw, context, { links, descriptionNode, homeUrl: alternateOf(links) }, readEntry, warnings);
}
