import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../src/reader/decode.ts';
import { parseFeedDate } from '../../src/reader/feed-values.ts';
import { maxFeedChars, parseFeed } from '../../src/reader/parse-feed.ts';
import { sniffFeedFormat } from '../../src/reader/parser/sniff.ts';
import { htmlToText, sanitizeHtml } from '../../src/reader/sanitize.ts';
import { FeedParseError, type ParsedFeed } from '../../src/reader/types.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/feeds');

function fixtureText(name: string): string {
  return decodeText(readFileSync(path.join(fixtures, name)), null, name.endsWith('.json') ? 'json' : 'xml').text;
}

function parseFixture(name: string, feedUrl = 'https://fetched.example.net/feed.xml'): Promise<ParsedFeed> {
  return parseFeed(fixtureText(name), feedUrl);
}

async function parseError(text: string): Promise<FeedParseError> {
  const error = await parseFeed(text, 'https://example.org/feed').then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(FeedParseError);
  return error as FeedParseError;
}

function rss(items: string, channel = ''): string {
  return `<rss version="2.0"><channel><title>t</title><link>http://example.org/</link>${channel}${items}</channel></rss>`;
}

function atom(entries: string, feed = ''): string {
  return `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0"><title>t</title>${feed}${entries}</feed>`;
}

describe('sniffFeedFormat', () => {
  it.each([
    ['<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>', 'rss'],
    ['<!-- generator --><?xml-stylesheet href="x.xsl"?><feed xmlns="http://www.w3.org/2005/Atom"/>', 'atom'],
    ['<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', 'rdf'],
    ['<!DOCTYPE rss SYSTEM "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"/>', 'rss'],
    ['\ufeff  <feed/>', 'atom'],
    [' {"version": "https://jsonfeed.org/version/1.1", "items": []}', 'json'],
    ['{"version": "1.1", "title": "x", "items": [{"id": "1"}]}', 'json'],
    ['<!DOCTYPE html><html><head></head></html>', 'html'],
    ['<html lang="de"><body>x</body></html>', 'html'],
    ['<opml version="2.0"/>', null],
    ['{"name": "not a feed"}', null],
    ['Service Unavailable', null],
    ['', null],
  ])('tells %j is %s', (text, format) => {
    expect(sniffFeedFormat(text)).toBe(format);
  });
});

describe('parseFeedDate', () => {
  it.each([
    ['Wed, 12 Nov 2008 10:00:00 +0100', '2008-11-12T09:00:00.000Z'],
    ['Mi, 12 Nov 2008 10:00:00 +0100', '2008-11-12T09:00:00.000Z'],
    ['Wed, 12 Nov 2008 10:00 GMT', '2008-11-12T10:00:00.000Z'],
    ['12 Nov 2008 10:00:00 EST', '2008-11-12T15:00:00.000Z'],
    ['Do, 13 Nov 2008 09:15 MEZ', '2008-11-13T08:15:00.000Z'],
    ['Mo, 3 Mär 2008 08:00:00 +0100', '2008-03-03T07:00:00.000Z'],
    ['Wed, 12 Nov 08 10:00:00 +0000', '2008-11-12T10:00:00.000Z'],
    ['Wed, 12 Nov 2008 10:00:00 +0100 (CET)', '2008-11-12T09:00:00.000Z'],
    ['Wed, 12 Nov 2008 10:00:00', '2008-11-12T10:00:00.000Z'],
    ['2008-11-12T10:00:00+01:00', '2008-11-12T09:00:00.000Z'],
    ['2008-11-12T10:00:00.123456Z', '2008-11-12T10:00:00.123Z'],
    ['2008-11-12T10:00Z', '2008-11-12T10:00:00.000Z'],
    ['2008-11-12 10:00:00', '2008-11-12T10:00:00.000Z'],
    ['2008-11-12', '2008-11-12T00:00:00.000Z'],
    ['  2008-11-12T10:00:00Z\n', '2008-11-12T10:00:00.000Z'],
  ])('reads %j as %s', (input, expected) => {
    expect(parseFeedDate(input)).toBe(expected);
  });

  it.each(['', 'gestern', 'Tue, 31 Feb 2008 10:00:00 GMT', '2008-13-01T00:00:00Z', 'Wed, 12 Foo 2008 10:00:00 GMT', 'x'.repeat(500)])(
    'returns null for %j without throwing',
    (input) => {
      expect(parseFeedDate(input)).toBeNull();
    },
  );

  it('returns null for values that are not strings', () => {
    expect(parseFeedDate(undefined)).toBeNull();
    expect(parseFeedDate({ _: '2008-11-12' })).toBeNull();
  });
});

describe('parseFeed', () => {
  describe('WordPress', () => {
    it('reads an RSS 2.0 feed exactly as WordPress 6 writes it', async () => {
      const feed = await parseFixture('wordpress-rss2.xml');
      expect(feed).toMatchObject({
        format: 'rss',
        title: 'planetsab',
        description: 'Notizen aus dem Netz',
        homeUrl: 'https://planetsab.example.org/',
        selfUrl: 'https://planetsab.example.org/feed/',
        hubUrls: [],
        ttlSeconds: 3600,
        lang: 'de-DE',
        warnings: [],
      });
      expect(feed.items).toHaveLength(2);
      const [first, second] = feed.items;
      expect(first).toEqual({
        guid: 'https://planetsab.example.org/?p=12',
        url: 'https://planetsab.example.org/2008/11/12/social-media-camp/',
        title: 'Social Media Camp: eine Antwort',
        authorName: 'planetsab',
        authorUrl: null,
        contentHtml: expect.stringContaining('<p>Sachar hat <a href="https://sachar.example.com/2008/11/11/camp/">gefragt</a>'),
        summaryHtml: 'Sachar hat gefragt, was ein Social Media Camp sein soll. Eine Antwort in f&#252;nf Punkten [&#8230;]',
        publishedAt: '2008-11-12T09:30:00.000Z',
        updatedAt: null,
        commentsPageUrl: 'https://planetsab.example.org/2008/11/12/social-media-camp/#comments',
        commentFeeds: [{ url: 'https://planetsab.example.org/2008/11/12/social-media-camp/feed/', type: null }],
        commentCount: 4,
        inReplyTo: [],
        trackbackPingUrl: null,
        baseUrl: 'https://planetsab.example.org/2008/11/12/social-media-camp/',
        lang: 'de-DE',
      });
      expect(second).toMatchObject({
        guid: 'https://planetsab.example.org/?p=9',
        commentsPageUrl: null,
        commentFeeds: [],
        commentCount: null,
      });
    });

    it('reads an Atom feed as WordPress writes it, with replies links and content xml:base', async () => {
      const feed = await parseFixture('wordpress-atom.xml');
      expect(feed).toMatchObject({
        format: 'atom',
        title: 'planetsab',
        description: 'Notizen aus dem Netz',
        homeUrl: 'https://planetsab.example.org/',
        selfUrl: 'https://planetsab.example.org/feed/atom/',
        lang: 'de-DE',
      });
      expect(feed.items).toHaveLength(1);
      expect(feed.items[0]).toMatchObject({
        guid: 'https://planetsab.example.org/?p=12',
        url: 'https://planetsab.example.org/2008/11/12/social-media-camp/',
        title: 'Social Media Camp: eine Antwort & fünf Punkte',
        authorName: 'planetsab',
        authorUrl: 'https://planetsab.example.org/',
        publishedAt: '2008-11-12T09:30:00.000Z',
        updatedAt: '2008-11-12T10:05:00.000Z',
        commentsPageUrl: 'https://planetsab.example.org/2008/11/12/social-media-camp/#comments',
        commentFeeds: [{ url: 'https://planetsab.example.org/2008/11/12/social-media-camp/feed/atom/', type: 'application/atom+xml' }],
        commentCount: 4,
        baseUrl: 'https://planetsab.example.org/2008/11/12/social-media-camp/',
      });
      expect(feed.items[0]!.contentHtml).toContain('<img src="camp.jpg" alt="Camp" />');
      expect(feed.items[0]!.summaryHtml).toBe('Sachar hat gefragt, was ein Social Media Camp sein soll. [&#8230;]');
    });

    it('reads thr:in-reply-to of a WordPress Atom comment feed, top-level and threaded', async () => {
      const feed = await parseFixture('wordpress-atom-comments.xml');
      expect(feed.title).toBe('Kommentare zu: Social Media Camp: eine Antwort');
      expect(feed.items.map((item) => item.guid)).toEqual([
        'https://planetsab.example.org/?p=12#comment-3',
        'https://planetsab.example.org/?p=12#comment-5',
      ]);
      expect(feed.items[0]).toMatchObject({
        title: 'Von: Jens Best',
        authorName: 'Jens Best',
        authorUrl: 'https://jensbest.example.net/',
        url: 'https://planetsab.example.org/2008/11/12/social-media-camp/#comment-3',
        inReplyTo: [{ ref: 'https://planetsab.example.org/?p=12', href: 'https://planetsab.example.org/2008/11/12/social-media-camp/' }],
      });
      expect(feed.items[1]).toMatchObject({
        authorName: 'planetsab',
        authorUrl: null,
        inReplyTo: [
          { ref: 'https://planetsab.example.org/?p=12#comment-3', href: 'https://planetsab.example.org/2008/11/12/social-media-camp/#comment-3' },
        ],
      });
    });
  });

  describe('Blogger', () => {
    it('reads a Blogger post feed: ids, replies feed, thr:total, hub', async () => {
      const feed = await parseFixture('blogger-atom.xml');
      expect(feed).toMatchObject({
        format: 'atom',
        title: 'Jens bloggt',
        description: null,
        homeUrl: 'http://jensbest.blogspot.com/',
        selfUrl: 'http://www.blogger.com/feeds/123/posts/default',
        hubUrls: ['http://pubsubhubbub.appspot.com/'],
      });
      expect(feed.items[0]).toMatchObject({
        guid: 'tag:blogger.com,1999:blog-123.post-456',
        url: 'http://jensbest.blogspot.com/2008/11/zum-social-media-camp.html',
        title: 'Zum Social Media Camp',
        authorName: 'Jens Best',
        authorUrl: 'http://www.blogger.com/profile/0815',
        publishedAt: '2008-11-12T09:00:00.000Z',
        updatedAt: '2008-11-12T09:30:00.000Z',
        commentFeeds: [{ url: 'http://jensbest.blogspot.com/feeds/456/comments/default', type: 'application/atom+xml' }],
        commentsPageUrl: 'http://www.blogger.com/comment.g?blogID=123&postID=456',
        commentCount: 3,
      });
      expect(feed.items[0]!.contentHtml).toBe(
        '<p>Ich war <a href="https://planetsab.example.org/2008/11/12/social-media-camp/">bei planetsab</a> und habe kommentiert.</p>',
      );
    });
  });

  describe('Blogger comments', () => {
    it('names a threaded reply’s parent comment by its Atom id, from the related link', async () => {
      const feed = await parseFixture('blogger-comments-threaded.xml');
      expect(feed.title).toBe('Kommentare zu Jens bloggt: Zum Social Media Camp');
      expect(feed.items).toHaveLength(2);
      const [reply, parent] = feed.items;
      const post = {
        ref: 'tag:blogger.com,1999:blog-123.post-456',
        href: 'http://jensbest.blogspot.com/2008/11/zum-social-media-camp.html',
        source: 'https://www.blogger.com/feeds/123/posts/default/456',
      };
      expect(reply).toMatchObject({
        guid: 'tag:blogger.com,1999:blog-123.post-902',
        url: 'http://jensbest.blogspot.com/2008/11/zum-social-media-camp.html?showComment=1226487600000#c902',
        selfUrl: 'https://www.blogger.com/feeds/123/456/comments/default/902',
        relatedUrls: ['https://www.blogger.com/feeds/123/456/comments/default/901'],
      });
      expect(reply!.inReplyTo).toEqual([
        post,
        { ref: 'tag:blogger.com,1999:blog-123.post-901', href: null, source: 'https://www.blogger.com/feeds/123/456/comments/default/901' },
      ]);
      expect(parent).toMatchObject({ guid: 'tag:blogger.com,1999:blog-123.post-901', authorName: 'Anonym', authorUrl: null });
      expect(parent!.selfUrl).toBe(reply!.relatedUrls![0]);
      expect(parent!.relatedUrls).toBeUndefined();
      expect(parent!.inReplyTo).toEqual([post]);
    });

    it('derives no parent from a related link of an entry that is not Blogger’s', async () => {
      const feed = await parseFeed(
        atom('<entry><id>urn:x:1</id><link rel="related" href="http://e.org/feeds/1/comments/default/2"/><link rel="self" href="http://e.org/self/1"/></entry>'),
        'https://e.org/',
      );
      expect(feed.items[0]).toMatchObject({ relatedUrls: ['http://e.org/feeds/1/comments/default/2'], selfUrl: 'http://e.org/self/1', inReplyTo: [] });
    });

    it('reads Blogger’s RSS variant: thr:total as the count, no comment feed, the name from noreply author', async () => {
      const feed = await parseFixture('blogger-rss.xml');
      expect(feed.items[0]).toMatchObject({
        guid: 'tag:blogger.com,1999:blog-123.post-456',
        url: 'http://jensbest.blogspot.com/2008/11/zum-social-media-camp.html',
        authorName: 'Jens Best',
        commentCount: 3,
        commentFeeds: [],
        commentsPageUrl: null,
        updatedAt: '2008-11-12T09:30:00.000Z',
      });
    });
  });

  describe('Movable Type', () => {
    it('reads atom.xml as MT 4 writes it: no comment elements, doubled slash id, xml:base of the blog', async () => {
      const feed = await parseFixture('movabletype-atom.xml');
      expect(feed).toMatchObject({ format: 'atom', title: "Markus' Notizen", homeUrl: 'http://markus.example.net/', selfUrl: 'http://markus.example.net/atom.xml' });
      const [entry] = feed.items;
      expect(entry).toMatchObject({
        guid: 'tag:markus.example.net,2008://1.42',
        url: 'http://markus.example.net/2008/11/social-media-camp-noch.html',
        authorName: 'Markus',
        authorUrl: null,
        commentFeeds: [],
        commentCount: null,
        inReplyTo: [],
        trackbackPingUrl: null,
        baseUrl: 'http://markus.example.net/',
        summaryHtml: 'Ein Camp &amp; seine Folgen...',
      });
      expect(entry!.selfUrl).toBeUndefined();
      expect(entry!.contentHtml?.trim()).toBe('<p>Ein Camp &amp; seine Folgen: <a href="camp.html">mehr</a>.</p>');
    });

    it('unwraps the RSS 0.91 of a ?__mode=rss TrackBack listing, mending its unescaped title', async () => {
      const feed = await parseFixture('movabletype-trackback-listing.xml', 'http://markus.example.net/cgi-bin/mt/mt-tb.cgi/142?__mode=rss');
      expect(feed).toMatchObject({
        format: 'rss',
        title: 'Camp & Co.',
        homeUrl: 'http://markus.example.net/2008/11/camp-co.html',
        warnings: ['escaped 1 bare ampersand'],
      });
      expect(feed.items.map((i) => [i.title, i.url, i.summaryHtml, i.guid, i.publishedAt])).toEqual([
        ['Social Media Camp: Viel Gerede', 'http://freitag.example.com/2008/11/camp.html', 'Beim <b>Camp</b> hat sich noch nicht so viel getan...', null, null],
        ['Exkurs', 'http://planetsab.example.org/2008/11/exkurs/', null, null, null],
      ]);
    });

    it('reports a TrackBack listing that answers with an error as not-a-feed, with MT’s message', async () => {
      const error = await parseError(fixtureText('movabletype-trackback-error.xml'));
      expect(error.code).toBe('not-a-feed');
      expect(error.message).toBe("the TrackBack listing answered with an error: Invalid TrackBack ID '77'");
    });

    it('reports a TrackBack ping answer without a listing as not-a-feed', async () => {
      const error = await parseError('<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>0</error>\n</response>\n');
      expect(error.code).toBe('not-a-feed');
      expect(error.message).toBe('this is a TrackBack response without a listing, not a feed');
    });
  });

  describe('RSS versions', () => {
    it('reads RSS 0.91 with its Netscape DOCTYPE', async () => {
      const feed = await parseFixture('rss-091.xml');
      expect(feed).toMatchObject({ format: 'rss', title: 'Freitag Blog', homeUrl: 'http://freitag.example.com/', lang: 'de' });
      expect(feed.items.map((item) => item.url)).toEqual(['http://freitag.example.com/2008/11/camp.html', 'http://freitag.example.com/2008/11/zwei.html']);
      expect(feed.items[0]).toMatchObject({ guid: null, publishedAt: null, title: 'Social Media Camp: noch nicht viel getan' });
      expect(feed.items[0]!.summaryHtml).toMatch(/Café-Gespräche\.$/);
    });

    it('keeps RSS 0.92 items that have only a description or only a title', async () => {
      const feed = await parseFixture('rss-092.xml');
      expect(feed.items).toHaveLength(2);
      expect(feed.items[0]).toMatchObject({ title: null, url: null, guid: null, summaryHtml: '<p>Nur eine Beschreibung.</p>' });
      expect(feed.items[1]).toMatchObject({ title: 'Nur ein Titel', summaryHtml: null, contentHtml: null });
    });

    it('reads RSS 1.0 (RDF) with Dublin Core and content:encoded', async () => {
      const feed = await parseFixture('rss-10-rdf.xml');
      expect(feed).toMatchObject({ format: 'rdf', title: 'Sachars Blog', homeUrl: 'http://sachar.example.com/', lang: 'de' });
      expect(feed.items[0]).toMatchObject({
        guid: 'http://sachar.example.com/2008/11/11/camp/',
        url: 'http://sachar.example.com/2008/11/11/camp/',
        authorName: 'Sachar',
        publishedAt: '2008-11-11T19:00:00.000Z',
        contentHtml: '<p>Eine Frage in die Runde: <em>was</em> ist das?</p>',
        summaryHtml: 'Eine Frage in die Runde.',
      });
      expect(feed.items[1]).toMatchObject({ url: 'http://sachar.example.com/2008/11/09/vorher/', publishedAt: '2008-11-09T08:00:00.000Z' });
    });

    it('reads an RSS feed without a version attribute as RSS 2.0', async () => {
      const feed = await parseFeed('<rss><channel><title>x</title><item><title>a</title></item></channel></rss>', 'https://e.org/');
      expect(feed.items.map((item) => item.title)).toEqual(['a']);
    });

    it('returns an empty feed for an <rss> without a channel', async () => {
      const feed = await parseFeed('<rss version="0.91">\n</rss>', 'https://e.org/');
      expect(feed).toMatchObject({ format: 'rss', title: null, items: [] });
    });
  });

  describe('quirks that other feed readers accept (one fixture each)', () => {
    it('decides by the root element when an XHTML DOCTYPE comes before <rss>', async () => {
      const feed = await parseFixture('doctype-xhtml-before-rss.xml');
      expect(feed).toMatchObject({ format: 'rss', title: 'Notizen aus dem Netz' });
      expect(feed.items.map((i) => [i.title, i.url])).toEqual([
        ['Barcamp in Köln', 'http://notizen.example.org/2008/11/barcamp-koeln/'],
        ['Social Media Camp', 'http://notizen.example.org/2008/11/social-media-camp/'],
      ]);
      expect(sniffFeedFormat(fixtureText('doctype-xhtml-before-rss.xml'))).toBe('rss');
    });

    it('skips a Netscape DOCTYPE with a long internal subset before RSS 0.91', async () => {
      const feed = await parseFixture('doctype-netscape-long-internal-subset.xml');
      expect(feed).toMatchObject({ format: 'rss', title: 'Freitag Blog' });
      expect(feed.items.map((i) => [i.title, i.url])).toEqual([['Social Media Camp: noch nicht viel getan', 'http://freitag.example.com/2008/11/camp.html']]);
    });

    it('still calls an HTML page with an HTML DOCTYPE an HTML page, whatever element follows', async () => {
      expect(sniffFeedFormat('<!DOCTYPE html>\n<meta charset="utf-8"><title>x</title>')).toBe('html');
      expect(sniffFeedFormat('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x.dtd"><html><body/></html>')).toBe('html');
      expect((await parseError('<!DOCTYPE html>\nHallo')).message).toBe('this is an HTML page, not a feed');
    });

    it.each([
      ['utf-32be-bom.xml', 'utf-32be'],
      ['utf-32le-bom.xml', 'utf-32le'],
      ['utf-32be-no-bom.xml', 'utf-32be'],
      ['utf-32le-no-bom.xml', 'utf-32le'],
    ])('reads %s as %s', async (name, charset) => {
      const decoded = decodeText(readFileSync(path.join(fixtures, name)), null, 'xml');
      expect(decoded.charset).toBe(charset);
      const feed = await parseFeed(decoded.text, 'https://fetched.example.net/feed.xml');
      expect(feed).toMatchObject({ format: 'rss', title: 'Grüße aus Köln' });
      expect(feed.items.map((i) => [i.title, i.url])).toEqual([['Straße im Schnee', 'http://koeln.example.org/2008/11/strasse/']]);
    });

    it.each(['rss-no-items.xml', 'rss-no-items-bom.xml'])('reads %s as a feed with no entries yet', async (name) => {
      const feed = await parseFixture(name);
      expect(feed).toMatchObject({ format: 'rss', title: 'Neues Blog', homeUrl: 'http://neu.example.org/', items: [] });
      expect(sniffFeedFormat(fixtureText(name))).toBe('rss');
    });

    it('reads an <rss> without a channel behind a BOM as a feed with no entries yet', async () => {
      expect(await parseFixture('rss-no-channel-bom.xml')).toMatchObject({ format: 'rss', title: null, items: [] });
    });

    it('reads items that stand outside <channel>, in document order', async () => {
      const feed = await parseFixture('rss-items-outside-channel.xml');
      expect(feed).toMatchObject({ format: 'rss', title: 'Alte Schule', homeUrl: 'http://alt.example.org/' });
      expect(feed.items.map((i) => [i.title, i.url])).toEqual([
        ['Erster Eintrag', 'http://alt.example.org/1.html'],
        ['Zweiter Eintrag', 'http://alt.example.org/2.html'],
      ]);
      expect(feed.warnings).toContain('read items that stand outside <channel>');
    });

    it('reads items before and after the channel, and leaves items inside CDATA alone', async () => {
      const feed = await parseFeed(
        `<rss version="0.92"><item><title>vorher</title></item><channel><title>K</title><item><title>drin</title><description><![CDATA[<item>kein Eintrag</item>]]></description></item></channel><!-- <item>auch keiner</item> --><item><title>nachher</title></item></rss>`,
        'https://example.org/feed',
      );
      expect(feed.title).toBe('K');
      expect(feed.items.map((i) => i.title)).toEqual(['vorher', 'drin', 'nachher']);
      expect(feed.items[1]!.summaryHtml).toBe('<item>kein Eintrag</item>');
      // An ordinary feed is left as it is.
      expect((await parseFeed(rss('<item><title>a</title></item>'), 'https://example.org/feed')).warnings).toEqual([]);
    });

    it('shows Atom text of an unknown media type as text, and leaves binary content out', async () => {
      const [entry] = (await parseFixture('atom-unknown-text-type.xml')).items;
      expect(entry).toMatchObject({ title: 'Camp-Notizen', summaryHtml: 'Was beim Camp besprochen wurde.', contentHtml: null });
    });

    it('decodes base64 text of a type that is neither text nor XML, as RFC 4287 §4.1.3.3 says', async () => {
      const feed = await parseFeed(atom('', '<subtitle type="application/octet-stream">RXhhbXBsZSA8Yj5BdG9tPC9iPg==</subtitle>'), 'https://example.org/feed');
      expect(feed.description).toBe('Example <b>Atom</b>');
      const test = await parseFeed(atom('<entry><id>1</id><title type="application/x-custom">Test</title></entry>'), 'https://example.org/feed');
      // "Test" is valid base64 but not text when decoded: it stays what it says.
      expect(test.items[0]!.title).toBe('Test');
    });

    it('keeps an escaped description that starts like markup', async () => {
      const [item] = (await parseFixture('rss-description-bogus-comment.xml')).items;
      expect(item!.summaryHtml).toBe(`<!' <a href="foo">`);
      expect(sanitizeHtml(item!.summaryHtml!, 'http://bogus.example.org/1')).toBe(`&lt;!' <a href="http://bogus.example.org/foo" rel="nofollow ugc noopener"></a>`);
      expect(htmlToText(item!.summaryHtml!)).toBe(`<!'`);
    });
  });

  describe('JSON Feed', () => {
    it('refuses JSON nested deeper than any feed, before building it', async () => {
      const deep = `{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "_ext": ${'['.repeat(10_000)}${']'.repeat(10_000)}}]}`;
      await expect(parseFeed(deep, 'http://blog.example/feed.json')).rejects.toThrow(new FeedParseError('malformed', 'the JSON nests more than 64 levels deep'));
    });

    it('reads JSON Feed 1.1, ignoring _ extensions', async () => {
      const feed = await parseFixture('json-feed-11.json', 'https://json.example.org/feed.json');
      expect(feed).toMatchObject({
        format: 'json',
        title: 'Palaver-Test',
        description: 'JSON Feed fixture',
        homeUrl: 'https://json.example.org/',
        selfUrl: 'https://json.example.org/feed.json',
        hubUrls: ['https://hub.example.org/'],
        lang: 'de',
        ttlSeconds: null,
        warnings: [],
      });
      expect(feed.items).toHaveLength(3);
      expect(feed.items[0]).toMatchObject({
        guid: 'https://json.example.org/1',
        url: 'https://json.example.org/2008/11/eins/',
        title: 'Eins',
        contentHtml: '<p>Eins</p>',
        summaryHtml: 'Kurz &amp; knapp',
        authorName: 'planetsab',
        authorUrl: 'https://planetsab.example.org/',
        publishedAt: '2008-11-12T09:30:00.000Z',
        updatedAt: '2008-11-12T10:00:00.000Z',
      });
      expect(feed.items[1]).toMatchObject({ contentHtml: 'a &lt; b', authorName: 'Feed-Autorin' });
      expect(feed.items[2]).toMatchObject({ guid: '3', title: null });
    });

    it('reads JSON Feed 1.0 with a single author object', async () => {
      const feed = await parseFixture('json-feed-10.json');
      expect(feed.items).toEqual([
        expect.objectContaining({ guid: 'a1', url: 'https://old.example.org/a1', authorName: 'Alte Autorin', publishedAt: '2008-11-12T09:00:00.000Z' }),
      ]);
    });

    it('rejects truncated JSON as malformed', async () => {
      const error = await parseError('{"version": "https://jsonfeed.org/version/1.1", "items": [');
      expect(error.code).toBe('malformed');
      expect(error.message).toMatch(/^not valid JSON/);
    });

    it('rejects JSON that is not a feed as not-a-feed', async () => {
      expect((await parseError('{"error": "rate limited"}')).code).toBe('not-a-feed');
      expect((await parseError('[1, 2, 3]')).code).toBe('not-a-feed');
    });
  });

  describe('dates', () => {
    it('reads German-era RFC 822 dates and keeps an item whose date is impossible', async () => {
      const feed = await parseFixture('german-dates.xml');
      expect(feed.items.map((item) => item.publishedAt)).toEqual([
        '2008-11-12T09:00:00.000Z',
        '2008-11-13T08:15:00.000Z',
        '2008-12-05T06:00:00.000Z',
        '2008-03-01T12:00:00.000Z',
        null,
      ]);
    });

    it('does not fail on an Atom published date it cannot read, and falls back to updated', async () => {
      const feed = await parseFeed(
        atom('<entry><id>1</id><published>kein Datum</published><updated>2008-11-12T10:00:00Z</updated></entry><entry><id>2</id><published> </published></entry>'),
        'https://e.org/',
      );
      expect(feed.items.map((item) => [item.publishedAt, item.updatedAt])).toEqual([
        ['2008-11-12T10:00:00.000Z', '2008-11-12T10:00:00.000Z'],
        [null, null],
      ]);
    });

    it('reads Atom 0.3 issued and modified', async () => {
      const feed = await parseFeed(
        '<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><issued>2004-01-01T10:00:00Z</issued><modified>2004-01-02T10:00:00Z</modified></entry></feed>',
        'https://e.org/',
      );
      expect(feed.items[0]).toMatchObject({ publishedAt: '2004-01-01T10:00:00.000Z', updatedAt: '2004-01-02T10:00:00.000Z' });
    });
  });

  describe('URLs and xml:base', () => {
    it('resolves relative URLs against nested xml:base and ignores a javascript: base', async () => {
      const feed = await parseFixture('xml-base-relative-links.xml');
      expect(feed.homeUrl).toBe('http://blog.example.org/');
      expect(feed.items.map((item) => [item.url, item.baseUrl])).toEqual([
        ['http://blog.example.org/2008/11/post.html', 'http://blog.example.org/2008/11/'],
        ['http://blog.example.org/safe.html', 'http://blog.example.org/'],
        ['http://blog.example.org/2008/11/third.html', 'http://blog.example.org/'],
      ]);
      expect(feed.items[0]!.commentFeeds).toEqual([{ url: 'http://blog.example.org/2008/11/post/comments.xml', type: 'application/atom+xml' }]);
    });

    it('uses the item link as base without xml:base, else the feed URL', async () => {
      const feed = await parseFixture('rss-relative-links-no-base.xml', 'https://blog.example.com/feed/');
      expect(feed.homeUrl).toBe('https://blog.example.com/');
      expect(feed.items.map((item) => [item.url, item.baseUrl])).toEqual([
        ['https://blog.example.com/2008/11/post/', 'https://blog.example.com/2008/11/post/'],
        [null, 'https://blog.example.com/feed/'],
      ]);
    });

    it('reads xml:base on the <rss> element, which rss-parser does not expose', async () => {
      const feed = await parseFeed(
        '<rss version="2.0" xml:base="http://base.example.org/blog/"><channel><title>t</title><item><link>post/1</link></item></channel></rss>',
        'https://fetched.example.net/feed',
      );
      expect(feed.items[0]).toMatchObject({ url: 'http://base.example.org/blog/post/1', baseUrl: 'http://base.example.org/blog/' });
    });

    it('never returns a javascript: or data: URL for links', async () => {
      const feed = await parseFeed(
        rss('<item><link>javascript:alert(1)</link><comments>data:text/html,x</comments><wfw:commentRss xmlns:wfw="http://wellformedweb.org/CommentAPI/">javascript:x</wfw:commentRss></item>'),
        'https://e.org/',
      );
      expect(feed.items[0]).toMatchObject({ url: null, commentsPageUrl: null, commentFeeds: [] });
    });

    it('uses a permalink guid as url only when it is an absolute URL and isPermaLink is not false', async () => {
      const feed = await parseFixture('guid-permalink-without-link.xml');
      expect(feed.items.map((item) => [item.guid, item.url])).toEqual([
        ['http://guid.example.org/2008/11/a.html', 'http://guid.example.org/2008/11/a.html'],
        ['http://guid.example.org/2008/11/b.html', null],
        ['abc123', null],
      ]);
    });

    it('maps FeedBurner atom10:link to selfUrl and hubUrls', async () => {
      const feed = await parseFixture('feedburner-atom10-link.xml');
      expect(feed).toMatchObject({
        selfUrl: 'http://feeds.feedburner.com/Sachar',
        hubUrls: ['http://pubsubhubbub.appspot.com/'],
        homeUrl: 'http://sachar.example.com/',
      });
    });

    it('reads Atom links written as element text instead of href', async () => {
      const feed = await parseFixture('atom-text-link.xml');
      expect(feed.homeUrl).toBe('http://textlink.example.org/');
      expect(feed.items[0]!.url).toBe('http://textlink.example.org/1');
    });

    it('reads an Atom link whose text is a CDATA section', async () => {
      const feed = await parseFeed(atom('<entry><id>1</id><link><![CDATA[http://cdata.example.org/1]]></link></entry>'), 'https://e.org/');
      expect(feed.items[0]!.url).toBe('http://cdata.example.org/1');
    });

    it('reads Atom elements under an unusual prefix', async () => {
      const feed = await parseFeed(
        '<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>Prefixed</a:title><a:entry><a:id>x</a:id><a:link rel="alternate" href="http://p.example.org/1"/></a:entry></a:feed>',
        'https://e.org/',
      );
      expect(feed).toMatchObject({ format: 'atom', title: 'Prefixed' });
      expect(feed.items[0]).toMatchObject({ guid: 'x', url: 'http://p.example.org/1' });
    });
  });

  describe('items', () => {
    it('keeps items with neither guid nor link, in document order', async () => {
      const feed = await parseFixture('items-without-guid-or-link.xml');
      expect(feed.items.map((item) => [item.guid, item.url, item.title])).toEqual([
        [null, null, 'Erster Gedanke'],
        [null, null, 'Zweiter Gedanke'],
        [null, null, null],
      ]);
    });

    it('strips HTML from titles and decodes entities, and reads an RSS author "email (Name)"', async () => {
      const feed = await parseFixture('rss-title-markup.xml');
      expect(feed.title).toBe('Fett & mehr');
      expect(feed.items[0]).toMatchObject({ title: 'Zitat: „Hallo“', authorName: 'Jens Best' });
    });

    it('keeps an Atom type="text" title literal', async () => {
      const feed = await parseFeed(atom('<entry><title type="text">Warum &lt;div&gt; nicht reicht</title></entry>'), 'https://e.org/');
      expect(feed.items[0]!.title).toBe('Warum <div> nicht reicht');
    });

    it('keeps the order of text and elements in Atom xhtml content', async () => {
      const feed = await parseFixture('atom-xhtml-content.xml');
      expect(feed.items[0]!.title).toBe('Ein fettes Wort');
      expect(feed.items[0]!.contentHtml).toContain('<p>Erst Text, dann <strong>fett</strong>, dann <a href="zwei.html">ein Link</a> und Schluss.</p>');
      expect(feed.items[0]!.baseUrl).toBe('https://typepad.example.com/2008/11/');
    });

    it('keeps text and elements of an RSS xhtml:body in order', async () => {
      const feed = await parseFeed(rss('<item><body xmlns="http://www.w3.org/1999/xhtml">Erst <b>fett</b>, dann <i>kursiv</i>.</body></item>'), 'https://e.org/');
      expect(feed.items[0]!.contentHtml).toBe('Erst <b>fett</b>, dann <i>kursiv</i>.');
    });

    it('escapes Atom text content and decodes base64 content', async () => {
      const feed = await parseFeed(
        atom('<entry><content type="text">a &lt; b &amp; c</content><summary type="html" mode="base64">PGI+Zml4PC9iPg==</summary></entry>'),
        'https://e.org/',
      );
      expect(feed.items[0]).toMatchObject({ contentHtml: 'a &lt; b &amp; c', summaryHtml: '<b>fix</b>' });
    });

    it('reads the RSS trackback:ping of Movable Type feeds', async () => {
      const feed = await parseFeed(
        rss('<item xmlns:trackback="http://madskills.com/public/xml/rss/module/trackback/"><title>t</title><trackback:ping>http://mt.example.org/mt-tb.cgi/12</trackback:ping></item>'),
        'https://e.org/',
      );
      expect(feed.items[0]!.trackbackPingUrl).toBe('http://mt.example.org/mt-tb.cgi/12');
    });

    it('lets thr:total and thr:count report the comment count when slash:comments is absent', async () => {
      const feed = await parseFeed(
        atom('<entry><id>1</id><link rel="replies" type="application/atom+xml" href="http://e.org/c" thr:count="7"/></entry>'),
        'https://e.org/',
      );
      expect(feed.items[0]!.commentCount).toBe(7);
    });

    it('gives entries the feed-level Atom author when they have none', async () => {
      const feed = await parseFeed(atom('<entry><id>1</id></entry>', '<author><name>Feed Author</name><uri>http://author.example.org/</uri></author>'), 'https://e.org/');
      expect(feed.items[0]).toMatchObject({ authorName: 'Feed Author', authorUrl: 'http://author.example.org/' });
    });
  });

  describe('feed-level hints', () => {
    it('turns RSS ttl minutes into seconds and prefers it to sy:updatePeriod', async () => {
      expect((await parseFixture('rss-ttl.xml')).ttlSeconds).toBe(5400);
    });

    it('turns sy:updatePeriod and sy:updateFrequency into seconds', async () => {
      const feed = await parseFeed(
        rss('', '<sy:updatePeriod xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">daily</sy:updatePeriod><sy:updateFrequency xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">2</sy:updateFrequency>'),
        'https://e.org/',
      );
      expect(feed.ttlSeconds).toBe(43_200);
    });

    it('reports no ttl when the feed gives none or nonsense', async () => {
      expect((await parseFeed(rss('', '<ttl>soon</ttl>'), 'https://e.org/')).ttlSeconds).toBeNull();
    });
  });

  describe('leniency', () => {
    it('escapes bare ampersands, retries once and says so', async () => {
      const feed = await parseFixture('bare-ampersand.xml');
      expect(feed.warnings).toEqual(['escaped 2 bare ampersands']);
      expect(feed.title).toBe('Tom & Jerry & friends');
      expect(feed.items[0]!.url).toBe('http://amp.example.org/?p=1&lang=de');
      expect(feed.items[0]!.summaryHtml).toBe('AT&amp;T');
    });

    it('removes control characters that XML does not allow', async () => {
      const feed = await parseFixture('control-characters.xml');
      expect(feed.items[0]!.title).toBe('Kaffee und Kuchen');
      expect(feed.warnings).toEqual(['removed 2 control characters that XML does not allow']);
    });

    it('reads HTML named entities such as &nbsp; and &eacute; without a DTD', async () => {
      const feed = await parseFeed(rss('<item><title>Caf&eacute;&nbsp;Kaffee</title></item>'), 'https://e.org/');
      expect(feed.items[0]!.title).toBe('Café Kaffee');
    });
  });

  describe('errors', () => {
    it('rejects an empty document', async () => {
      expect((await parseError('')).code).toBe('empty');
      expect((await parseError(' \n\t ')).code).toBe('empty');
      expect((await parseError('<?xml version="1.0"?>\n<!-- nothing here -->\n')).code).toBe('empty');
    });

    it('rejects an HTML page as not-a-feed, saying so', async () => {
      const error = await parseError(fixtureText('html-page.xml'));
      expect(error.code).toBe('not-a-feed');
      expect(error.message).toBe('this is an HTML page, not a feed');
    });

    it('rejects an HTML page without a DOCTYPE and plain text as not-a-feed', async () => {
      expect((await parseError('<html><body>Fehler</body></html>')).message).toBe('this is an HTML page, not a feed');
      expect((await parseError('502 Bad Gateway')).code).toBe('not-a-feed');
    });

    it('rejects XML with another root element as not-a-feed, naming it', async () => {
      const error = await parseError('<?xml version="1.0"?><opml version="2.0"><body/></opml>');
      expect(error.code).toBe('not-a-feed');
      expect(error.message).toContain('<opml>');
    });

    it('rejects truncated XML as malformed with the line of the error', async () => {
      const error = await parseError(fixtureText('truncated.xml'));
      expect(error.code).toBe('malformed');
      expect(error.message).toMatch(/^not well-formed XML at line \d+, column \d+: /);
    });

    it('rejects an undefined entity as malformed', async () => {
      const error = await parseError(rss('<item><title>&undefiniert;</title></item>'));
      expect(error.code).toBe('malformed');
      expect(error.message).toContain('entity');
    });

    it('refuses text over the size cap before parsing', async () => {
      const error = await parseError(`<rss>${' '.repeat(maxFeedChars)}</rss>`);
      expect(error.code).toBe('too-large');
    });
  });

  describe('hostile input', () => {
    it('leaves billion-laughs entities unexpanded and finishes', async () => {
      const feed = await parseFixture('billion-laughs.xml');
      expect(feed.title).toBe('&lol9;');
      expect(feed.items[0]!.title).toBe('a &lol9; b');
      expect(feed.warnings[0]).toMatch(/^left 10 DTD entities unexpanded/);
    });

    it('treats __proto__ and constructor element names as ordinary unknown elements', async () => {
      const feed = await parseFixture('proto-element-names.xml');
      expect(feed.title).toBe('Proto');
      expect(feed.items).toHaveLength(1);
      expect(feed.items[0]).toMatchObject({ title: 'Normal', url: 'http://proto.example.org/1', guid: null, authorName: null });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(Object.getPrototypeOf(feed.items[0])).toBe(Object.prototype);
    });

    it('reports an element named "_" (xml2js text key) as malformed instead of crashing', async () => {
      const error = await parseError(rss('<item><_>x</_></item>'));
      expect(error.code).toBe('malformed');
    });

    it('parses content full of unclosed tags without rss-parser quadratic snippet regex', async () => {
      // rss-parser's snippet regex needs about 40 s for these two fields (over the test timeout, so
      // a regression fails rather than hangs); Palaver hides the fields from it.
      const payload = 'x<p'.repeat(50_000);
      const feed = await parseFeed(
        rss(`<item><description><![CDATA[${payload}]]></description><content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/"><![CDATA[${payload}]]></content:encoded></item>`),
        'https://e.org/',
      );
      expect(feed.items[0]!.summaryHtml).toHaveLength(payload.length);
      expect(feed.items[0]!.contentHtml).toHaveLength(payload.length);
    });

    it('parses thousands of unclosed CDATA openers without rescanning', async () => {
      const error = await parseError(rss(`<item><title>${'<![CDATA['.repeat(50_000)}`));
      expect(error.code).toBe('malformed');
    });
  });
});
