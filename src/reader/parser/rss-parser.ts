// rss-parser, set up for Palaver: the fields it collects for feeds and items, the namespace
// renames, dates it cannot read repaired, and its sax errors put into plain words.
import Parser from 'rss-parser';
import { parseFeedDate } from '../feed-values.ts';
import { hideFromRssParser, renameProcessor } from './xml-namespaces.ts';

const itemFields = [
  ['$', 'xAttributes', { keepArray: true }],
  ['title', 'xTitle', { keepArray: true }],
  ['link', 'xLinks', { keepArray: true }],
  ['atom:link', 'xAtomLinks', { keepArray: true }],
  ['guid', 'xGuid', { keepArray: true }],
  ['id', 'xId', { keepArray: true }],
  ['#description', 'xDescription', { keepArray: true }],
  ['#content:encoded', 'xContentEncoded', { keepArray: true }],
  ['xhtml:body', 'xXhtmlBody', { keepArray: true }],
  ['body', 'xBody', { keepArray: true }],
  ['fullitem', 'xFullitem', { keepArray: true }],
  ['#content', 'xContent', { keepArray: true }],
  ['#summary', 'xSummary', { keepArray: true }],
  ['author', 'xAuthor', { keepArray: true }],
  ['dc:creator', 'xDcCreator', { keepArray: true }],
  ['pubDate', 'xPubDate', { keepArray: true }],
  ['dc:date', 'xDcDate', { keepArray: true }],
  ['published', 'xPublished', { keepArray: true }],
  ['issued', 'xIssued', { keepArray: true }],
  ['created', 'xCreated', { keepArray: true }],
  ['updated', 'xUpdated', { keepArray: true }],
  ['modified', 'xModified', { keepArray: true }],
  ['atom:published', 'xAtomPublished', { keepArray: true }],
  ['atom:updated', 'xAtomUpdated', { keepArray: true }],
  ['comments', 'xComments', { keepArray: true }],
  ['wfw:commentRss', 'xWfwCommentRss', { keepArray: true }],
  // WordPress before 2.x and some Movable Type templates wrote the element as commentRSS.
  ['wfw:commentRSS', 'xWfwCommentRSS', { keepArray: true }],
  ['slash:comments', 'xSlashComments', { keepArray: true }],
  ['thr:total', 'xThrTotal', { keepArray: true }],
  ['thr:in-reply-to', 'xThrInReplyTo', { keepArray: true }],
  ['trackback:ping', 'xTrackbackPing', { keepArray: true }],
  ['dc:language', 'xDcLanguage', { keepArray: true }],
];

const feedFields = [
  ['$', 'xAttributes', { keepArray: true }],
  ['title', 'xTitle', { keepArray: true }],
  ['#description', 'xDescription', { keepArray: true }],
  ['subtitle', 'xSubtitle', { keepArray: true }],
  ['tagline', 'xTagline', { keepArray: true }],
  ['link', 'xLinks', { keepArray: true }],
  ['atom:link', 'xAtomLinks', { keepArray: true }],
  ['language', 'xLanguage', { keepArray: true }],
  ['dc:language', 'xDcLanguage', { keepArray: true }],
  ['author', 'xAuthor', { keepArray: true }],
  ['ttl', 'xTtl', { keepArray: true }],
  ['sy:updatePeriod', 'xUpdatePeriod', { keepArray: true }],
  ['sy:updateFrequency', 'xUpdateFrequency', { keepArray: true }],
];

/** Atom dates rss-parser cannot read make it throw (new Date(x).toISOString()); give it ours. */
function repairAtomDate(value: string, name: string): string {
  if ((name === 'published' || name === 'updated') && Number.isNaN(Date.parse(value))) return parseFeedDate(value) ?? '';
  return value;
}

/** What xml2js hands back for a feed or an item: elements keyed by the names in feedFields and itemFields. */
export type Raw = Record<string, unknown>;

/**
 * Creates an rss-parser that reads the fields Palaver needs under their usual prefixes; restore
 * puts lifted CDATA back into each value before anything else reads it (cdata-lift.ts).
 */
export function createParser(renames: Map<string, string>, restore?: (value: string) => string): Parser<Raw, Raw> {
  const rename = renames.size ? renameProcessor(renames) : null;
  const options = {
    defaultRSS: 2,
    xml2js: {
      tagNameProcessors: [rename ? (name: string) => hideFromRssParser(rename(name)) : hideFromRssParser],
      ...(rename ? { attrNameProcessors: [rename] } : {}),
      valueProcessors: restore ? [restore, repairAtomDate] : [repairAtomDate],
      // Whitespace-only elements become "" (rss-parser would try new Date("  ") and throw).
      emptyTag: () => '',
    },
    customFields: { feed: feedFields, item: itemFields },
  };
  return new Parser<Raw, Raw>(options as unknown as Parser.ParserOptions<Raw, Raw>);
}

/** Turns a sax message ("Unclosed root tag\nLine: 4\nColumn: 2\nChar: ") into plain words. */
export function describeXmlError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const [first, ...rest] = message.split('\n');
  const line = /Line:\s*(\d+)/.exec(rest.join(' '));
  const column = /Column:\s*(\d+)/.exec(rest.join(' '));
  const what = (first ?? 'parse error').trim().replace(/^./, (c) => c.toLowerCase());
  if (!line) return `not well-formed XML: ${what}`;
  return `not well-formed XML at line ${Number(line[1]) + 1}, column ${Number(column?.[1] ?? 0) + 1}: ${what}`;
}

/** Tells whether rss-parser failed on the XML itself (a sax error), not on what it read. */
export function isSaxError(err: unknown): boolean {
  return err instanceof Error && /\nLine: \d+/.test(err.message);
}
