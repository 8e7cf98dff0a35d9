// Reading the text of an RSS, RDF or Atom feed with rss-parser, as both format adapters do:
// control characters XML forbids taken out first, then one lenient retry for bare ampersands
// and DTD entities. DTD entities are never expanded; every repair is reported as a warning.
import { FeedParseError, type ParsedFeedFormat } from '../types.ts';
import { liftCdata } from './cdata-lift.ts';
import { createParser, describeXmlError, isSaxError, type Raw } from './rss-parser.ts';
import { prefixRenames } from './xml-namespaces.ts';
import { escapeBareAmpersands, illegalControls, neutraliseDtdEntities } from './xml-repairs.ts';

/** The formats rss-parser reads: every one but JSON Feed. */
export type XmlFeedFormat = Exclude<ParsedFeedFormat, 'json'>;

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Takes out the control characters XML does not allow (sax lets them through), with a warning. */
export function withoutControls(source: string, warnings: string[]): string {
  const controls = source.match(illegalControls)?.length ?? 0;
  if (!controls) return source;
  warnings.push(`removed ${plural(controls, 'control character', 'control characters')} that XML does not allow`);
  return source.replace(illegalControls, '');
}

/**
 * Reads XML with rss-parser, its long CDATA sections lifted out first; the text as it is when
 * nothing is worth lifting or the lifted reading is not the same (cdata-lift.ts). Throws what
 * rss-parser throws on the text as it is.
 */
async function parseXml(xml: string, renames: Map<string, string>): Promise<Raw> {
  const lifted = liftCdata(xml);
  if (lifted) {
    const raw = await createParser(renames, lifted.restore).parseString(lifted.xml).catch(() => null);
    if (raw && lifted.complete()) return raw as unknown as Raw;
  }
  return (await createParser(renames).parseString(xml)) as unknown as Raw;
}

/** Reads repaired feed XML with rss-parser. Throws FeedParseError 'malformed'. */
export async function readFeedXml(xml: string, format: XmlFeedFormat, warnings: string[]): Promise<Raw> {
  try {
    return await parseXml(xml, prefixRenames(xml, format));
  } catch (err) {
    if (!isSaxError(err)) throw new FeedParseError('malformed', `the feed's structure could not be read: ${(err as Error).message}`, { cause: err });
    // One lenient retry: escape bare ampersands and leave DTD-declared entities unexpanded.
    const ampersands = escapeBareAmpersands(xml);
    const entities = neutraliseDtdEntities(ampersands.text);
    if (!ampersands.count && !entities.names.length) throw new FeedParseError('malformed', describeXmlError(err), { cause: err });
    let raw: Raw;
    try {
      raw = await parseXml(entities.text, prefixRenames(entities.text, format));
    } catch {
      throw new FeedParseError('malformed', describeXmlError(err), { cause: err });
    }
    if (ampersands.count) warnings.push(`escaped ${plural(ampersands.count, 'bare ampersand', 'bare ampersands')}`);
    if (entities.names.length) {
      warnings.push(`left ${plural(entities.names.length, 'DTD entity', 'DTD entities')} unexpanded (${entities.names.map((n) => `&${n};`).join(' ')})`);
    }
    return raw;
  }
}
