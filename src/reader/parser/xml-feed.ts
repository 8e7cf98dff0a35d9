// RSS 0.9x/1.0 (RDF)/2.0 and Atom: the text repaired where real feeds need it, read by
// rss-parser (one lenient retry for bare ampersands and DTD entities), then normalized.
// DTD entities are never expanded.
import { FeedParseError, type ParsedFeed } from '../types.ts';
import { createParser, describeXmlError, isSaxError, type Raw } from './rss-parser.ts';
import type { RootTag } from './sniff.ts';
import { prefixRenames } from './xml-namespaces.ts';
import { emptyFeed, normalizeFeed } from './xml-normalize.ts';
import { atomLinksWithAttributes, escapeBareAmpersands, illegalControls, inlineMarkupToCdata, itemsIntoChannel, neutraliseDtdEntities } from './xml-repairs.ts';

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Parses the text of an RSS, RDF or Atom feed whose root element was sniffed. Throws FeedParseError 'malformed'. */
export async function parseXmlFeed(source: string, format: 'rss' | 'rdf' | 'atom', root: RootTag, feedUrl: string): Promise<ParsedFeed> {
  const warnings: string[] = [];
  let xml = source;
  const controls = xml.match(illegalControls)?.length ?? 0;
  if (controls) {
    xml = xml.replace(illegalControls, '');
    warnings.push(`removed ${plural(controls, 'control character', 'control characters')} that XML does not allow`);
  }
  if (format === 'rss') {
    const gathered = itemsIntoChannel(xml, root.name);
    if (gathered !== null) {
      xml = gathered;
      warnings.push('read items that stand outside <channel>');
    }
  }
  if (format !== 'atom' && !/<(?:[\w.-]+:)?channel[\s>/]/.test(xml)) {
    // <rss version="0.91"></rss> is a feed with nothing in it (rss-parser would crash on it).
    return emptyFeed(format, [...warnings, 'the feed has no channel']);
  }
  if (format === 'atom' && root.selfClosing) return emptyFeed(format, warnings);
  xml = inlineMarkupToCdata(xml).text;
  if (format === 'atom') xml = atomLinksWithAttributes(xml);

  const parser = createParser(prefixRenames(xml, format));
  let raw: Raw;
  try {
    raw = (await parser.parseString(xml)) as unknown as Raw;
  } catch (err) {
    if (!isSaxError(err)) throw new FeedParseError('malformed', `the feed's structure could not be read: ${(err as Error).message}`, { cause: err });
    // One lenient retry: escape bare ampersands and leave DTD-declared entities unexpanded.
    const ampersands = escapeBareAmpersands(xml);
    const entities = neutraliseDtdEntities(ampersands.text);
    if (!ampersands.count && !entities.names.length) throw new FeedParseError('malformed', describeXmlError(err), { cause: err });
    try {
      raw = (await createParser(prefixRenames(entities.text, format)).parseString(entities.text)) as unknown as Raw;
    } catch {
      throw new FeedParseError('malformed', describeXmlError(err), { cause: err });
    }
    if (ampersands.count) warnings.push(`escaped ${plural(ampersands.count, 'bare ampersand', 'bare ampersands')}`);
    if (entities.names.length) {
      warnings.push(`left ${plural(entities.names.length, 'DTD entity', 'DTD entities')} unexpanded (${entities.names.map((n) => `&${n};`).join(' ')})`);
    }
  }
  return normalizeFeed(raw, format, root, feedUrl, warnings);
}
