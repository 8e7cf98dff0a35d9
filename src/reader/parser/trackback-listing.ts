// Movable Type's listing of TrackBack pings is RSS 0.91 wrapped in a TrackBack reply: the
// wrapper is taken off (or its error reported) before the RSS is parsed like any feed.
import { FeedParseError } from '../types.ts';
import { decodeXmlAttribute } from './sniff.ts';

/**
 * Movable Type answers <TrackBack URL>?__mode=rss with RSS 0.91 inside the TrackBack reply
 * (MT::App::Trackback::_response): <response><error>0</error><rss version="0.91">…</rss></response>,
 * or <error>1</error><message>…</message> when the entry is unknown or pings are off.
 */
export function unwrapTrackbackListing(text: string): string {
  const error = /<error>\s*(\d+)\s*<\/error>/.exec(text.slice(0, 4096));
  if (error && error[1] !== '0') {
    const message = /<message>([\s\S]{0,500}?)<\/message>/.exec(text)?.[1];
    const said = message ? decodeXmlAttribute(message).replace(/\s+/g, ' ').trim() : '';
    throw new FeedParseError('not-a-feed', `the TrackBack listing answered with an error${said ? `: ${said}` : ''}`);
  }
  const start = text.search(/<rss[\s>]/);
  const end = text.lastIndexOf('</rss>');
  if (start < 0 || end < start) throw new FeedParseError('not-a-feed', 'this is a TrackBack response without a listing, not a feed');
  return text.slice(start, end + '</rss>'.length);
}
