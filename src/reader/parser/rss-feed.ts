// RSS 0.9x and 2.0, and RSS 1.0 (RDF): the text repaired where real feeds need it (items
// outside <channel>, markup inline in descriptions), read by rss-parser and turned into a
// ParsedFeed. An RSS item is named by its guid, rdf:about or link; its text is HTML unless typed.
import { collapseText, resolveHttpUrl } from '../feed-values.ts';
import type { FeedItem, ParsedFeed } from '../types.ts';
import type { Raw } from './rss-parser.ts';
import { rootAttribute, type RootTag } from './sniff.ts';
import { completeFeed, completeItem, emptyFeed, type FeedContext } from './xml-item.ts';
import { alternateOf, attrOf, fieldText, firstOf, nestBase, nodeAttr, nodeText, own, readLinks, rssTextLink } from './xml-nodes.ts';
import { readFeedXml, withoutControls, type XmlFeedFormat } from './xml-read.ts';
import { inlineMarkupToCdata, itemsIntoChannel } from './xml-repairs.ts';

function readItem(item: Raw, context: FeedContext): FeedItem {
  const base = nestBase(context.base, attrOf(item, 'xml:base'));
  const links = [...readLinks(own(item, 'xLinks'), base.url), ...readLinks(own(item, 'xAtomLinks'), base.url)];

  // Identity: RSS guid, RDF rdf:about, else an Atom id.
  const guidNode = firstOf(own(item, 'xGuid'));
  const guidText = collapseText(nodeText(guidNode));
  const about = collapseText(attrOf(item, 'rdf:about'));
  const guid = guidText ?? about ?? collapseText(fieldText(item, 'xId'));

  // A guid is a permalink unless isPermaLink="false" (RSS 2.0); it stands in for a missing link
  // only when it is an absolute http(s) URL (gofeed's "abc123" guid is not a page).
  const guidIsPermalink = guidText !== null && (nodeAttr(guidNode, 'isPermaLink') ?? 'true').trim().toLowerCase() !== 'false';
  const url =
    rssTextLink(own(item, 'xLinks'), base.url) ??
    alternateOf(links) ??
    (guidIsPermalink ? resolveHttpUrl(guidText, null) : null) ??
    resolveHttpUrl(about, null);

  return completeItem(item, context, {
    base,
    links,
    guid,
    url,
    // content:encoded (or xhtml:body and its kin) holds the full text; description the summary.
    contentNode:
      firstOf(own(item, 'xContentEncoded')) ?? firstOf(own(item, 'xXhtmlBody')) ?? firstOf(own(item, 'xBody')) ?? firstOf(own(item, 'xFullitem')) ?? firstOf(own(item, 'xContent')),
    summaryNode: firstOf(own(item, 'xDescription')) ?? firstOf(own(item, 'xSummary')),
  });
}

/** Parses the text of an RSS or RDF feed whose root element was sniffed. Throws FeedParseError 'malformed'. */
export async function parseRssFeed(source: string, format: Exclude<XmlFeedFormat, 'atom'>, root: RootTag, feedUrl: string): Promise<ParsedFeed> {
  const warnings: string[] = [];
  let xml = withoutControls(source, warnings);
  if (format === 'rss') {
    const gathered = itemsIntoChannel(xml, root.name);
    if (gathered !== null) {
      xml = gathered;
      warnings.push('read items that stand outside <channel>');
    }
  }
  // <rss version="0.91"></rss> is a feed with nothing in it (rss-parser would crash on it).
  if (!/<(?:[\w.-]+:)?channel[\s>/]/.test(xml)) return emptyFeed(format, [...warnings, 'the feed has no channel']);
  const raw = await readFeedXml(inlineMarkupToCdata(xml).text, format, warnings);

  // xml:base and xml:lang on <rss> or <rdf:RDF> are not exposed by rss-parser; read them off the tag.
  const rootBase = nestBase({ url: feedUrl, declared: false }, rootAttribute(root, 'xml:base'));
  const base = nestBase(rootBase, attrOf(raw, 'xml:base'));
  const links = [...readLinks(own(raw, 'xLinks'), base.url), ...readLinks(own(raw, 'xAtomLinks'), base.url)];
  const lang =
    collapseText(attrOf(raw, 'xml:lang')) ??
    collapseText(fieldText(raw, 'xLanguage')) ??
    collapseText(fieldText(raw, 'xDcLanguage')) ??
    collapseText(rootAttribute(root, 'xml:lang'));
  const context: FeedContext = { format, base, lang, authorName: null, authorUrl: null, textKind: 'html' };
  const descriptionNode = firstOf(own(raw, 'xDescription')) ?? firstOf(own(raw, 'xTagline'));
  const homeUrl = rssTextLink(own(raw, 'xLinks'), base.url) ?? alternateOf(links);
  return completeFeed(raw, context, { links, descriptionNode, homeUrl }, readItem, warnings);
}
