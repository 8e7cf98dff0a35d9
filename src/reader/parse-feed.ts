// Parsing owns decoded feed text → ParsedFeed. This is the dispatcher: it refuses what is too
// large, empty or no feed, sniffs the format and hands off to the format's adapter in parser/
// (JSON Feed, RSS and RDF, Atom; Movable Type's TrackBack listing is unwrapped to its RSS). It
// never decodes bytes, never sanitizes HTML (contentHtml stays raw), and never expands DTD entities.
import { parseAtomFeed } from './parser/atom-feed.ts';
import { parseJsonFeed } from './parser/json-feed.ts';
import { parseRssFeed } from './parser/rss-feed.ts';
import { formatOfRoot, readPrologue } from './parser/sniff.ts';
import { unwrapTrackbackListing } from './parser/trackback-listing.ts';
import { FeedParseError, type ParsedFeed } from './types.ts';

/** Text longer than this (UTF-16 code units, about 10 MB) is refused before any parsing. */
export const maxFeedChars = 10 * 1024 * 1024;

/**
 * Parses decoded feed text (RSS, RDF, Atom or JSON Feed) into a ParsedFeed. Throws
 * FeedParseError: 'too-large', 'empty', 'not-a-feed' (HTML pages included) or 'malformed'.
 */
export async function parseFeed(text: string, feedUrl: string): Promise<ParsedFeed> {
  if (text.length > maxFeedChars) {
    throw new FeedParseError('too-large', `the feed is larger than ${Math.round(maxFeedChars / 1024 / 1024)} MB`);
  }
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const start = source.search(/\S/);
  if (start < 0) throw new FeedParseError('empty', 'the document is empty');
  if (source[start] === '{' || source[start] === '[') return parseJsonFeed(source, feedUrl);

  const prologue = readPrologue(source);
  if (prologue.kind === 'no-element') throw new FeedParseError('empty', 'the document has no elements (only whitespace, comments or declarations)');
  if (prologue.kind === 'html-doctype') throw new FeedParseError('not-a-feed', 'this is an HTML page, not a feed');
  if (prologue.kind === 'not-markup') throw new FeedParseError('not-a-feed', 'this is neither XML nor JSON, so not a feed');
  const { root } = prologue;
  if (root.name === 'response') return parseFeed(unwrapTrackbackListing(source), feedUrl);
  const format = formatOfRoot(root.name);
  if (format === 'html' || (format === null && prologue.htmlDoctype)) throw new FeedParseError('not-a-feed', 'this is an HTML page, not a feed');
  if (format === null || format === 'json') {
    throw new FeedParseError('not-a-feed', `this is an XML document with root element <${root.name}>, not a feed`);
  }
  return format === 'atom' ? parseAtomFeed(source, root, feedUrl) : parseRssFeed(source, format, root, feedUrl);
}
