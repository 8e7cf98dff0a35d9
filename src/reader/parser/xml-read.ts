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

// sax reads a markup declaration other than a comment, a CDATA section or the DOCTYPE ("<!x …>",
// a CDATA opener with a typo) testing a regular expression against all of it at each character:
// 75,000 characters of one took 43 s. Its cost grows with the square of its length, so each may
// have 1,024 characters and all of a feed's together 4,096 (about 30 ms in the worst case); a
// well-formed feed has none.
const maxDeclarationChars = 1024;
const maxDeclarationsChars = 4096;

/** The line of `at` in `text`, from 1. */
function lineAt(text: string, at: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

// Where a declaration sax reads as one ends: at its ">", quoted text passed over as sax does.
function declarationEnd(xml: string, from: number): number {
  let quote = '';
  for (let i = from; i < xml.length; i++) {
    const c = xml[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return xml.length;
}

/** Refuses a feed whose markup declarations would hold sax for long (see maxDeclarationChars). Throws FeedParseError 'malformed'. */
function refuseLongDeclarations(xml: string): void {
  const marks = /<(?:!(--|\[CDATA\[|DOCTYPE)?|\?)/gi;
  let total = 0;
  for (let m = marks.exec(xml); m !== null; m = marks.exec(xml)) {
    const opened = m[1]?.toUpperCase();
    let end: number;
    if (m[0] === '<?') end = xml.indexOf('?>', marks.lastIndex) + 1;
    else if (opened === '--') end = xml.indexOf('-->', marks.lastIndex) + 2;
    else if (opened === '[CDATA[') end = xml.indexOf(']]>', marks.lastIndex) + 2;
    else if (opened === 'DOCTYPE') {
      // Its internal subset, in brackets, may hold declarations and ">" of its own.
      const close = xml.indexOf('>', marks.lastIndex);
      const bracket = xml.indexOf('[', marks.lastIndex);
      end = bracket >= 0 && (close < 0 || bracket < close) ? declarationEnd(xml, Math.max(bracket, xml.indexOf(']', bracket))) : close;
    } else {
      end = declarationEnd(xml, marks.lastIndex);
      const length = end - m.index;
      total += length;
      if (length > maxDeclarationChars || total > maxDeclarationsChars) {
        throw new FeedParseError('malformed', `not well-formed XML at line ${lineAt(xml, m.index)}: a markup declaration ("<!${xml.slice(marks.lastIndex, marks.lastIndex + 12)}…") runs on for ${length > maxDeclarationChars ? `more than ${maxDeclarationChars} characters` : `${maxDeclarationsChars} characters with those before it`}`);
      }
    }
    // Unclosed: sax reads to the end of the text, once.
    if (end < 0 || end <= m.index) break;
    marks.lastIndex = end + 1;
  }
}

/** Reads repaired feed XML with rss-parser. Throws FeedParseError 'malformed'. */
export async function readFeedXml(xml: string, format: XmlFeedFormat, warnings: string[]): Promise<Raw> {
  refuseLongDeclarations(xml);
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
