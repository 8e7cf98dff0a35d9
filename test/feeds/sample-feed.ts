// The 2008 Social Media Camp debate as one merged feed: posts on three blogs, threaded comments,
// a pingback that merged with its post, a trackback without an author, a tombstone and an item
// with no original. Shared by the writer tests; a builder lets a test override any field.
import type { OutFeed, OutItem } from '../../src/feeds/types.ts';

export const publicUrl = 'https://palaver.example';
const entryId = (n: number) => `tag:palaver.example,2026:entry/${n}`;
const conversation = { id: '12', url: `${publicUrl}/c/12` };

export function buildItem(overrides: Partial<OutItem> & Pick<OutItem, 'id'>): OutItem {
  return {
    url: null,
    title: 'untitled',
    kind: 'post',
    via: ['feed'],
    authorName: null,
    authorUrl: null,
    publishedAt: '2008-06-03T10:00:00Z',
    updatedAt: '2008-06-03T10:00:00Z',
    contentHtml: null,
    summaryText: null,
    lang: null,
    source: null,
    inReplyTo: null,
    replies: null,
    conversation,
    tombstone: false,
    ...overrides,
  };
}

const sachar = { title: 'Sachar', url: 'http://sachar.example/', feedUrl: 'http://sachar.example/feed/' };
const planetsab = { title: 'planetsab', url: 'http://planetsab.example/', feedUrl: 'http://planetsab.example/feed/' };
const freitag = { title: 'Freitag – Das Meinungsmedium', url: 'https://freitag.example/', feedUrl: null };
const exkurs = 'http://planetsab.example/2008/06/social-media-camp-ein-kleiner-exkurs/';

export const sampleItems: OutItem[] = [
  buildItem({
    id: entryId(8),
    url: null,
    title: 'Nachtrag ohne Link',
    via: ['feed'],
    authorName: 'planetsab',
    publishedAt: '2008-06-06T09:00:00Z',
    updatedAt: '2008-06-06T09:00:00Z',
    summaryText: 'Ein Eintrag, dessen Feed weder guid noch link hatte.',
    source: planetsab,
  }),
  buildItem({
    id: entryId(7),
    url: 'http://sachar.example/2008/06/gestrichen/',
    title: 'Sachar on \'Gestrichen\'',
    kind: 'comment',
    via: ['comment-feed'],
    authorName: 'Sachar',
    publishedAt: '2008-06-05T20:00:00Z',
    updatedAt: '2008-06-07T08:00:00Z',
    contentHtml: '<p>Words the author took down.</p>',
    summaryText: 'Words the author took down.',
    source: sachar,
    inReplyTo: { id: entryId(1), url: 'http://sachar.example/2008/06/social-media-camp/' },
    tombstone: true,
  }),
  buildItem({
    id: entryId(6),
    url: 'http://blogwoche.example/2008/06/camp/',
    title: 'Trackback from Blogwoche: Camp?',
    kind: 'trackback',
    via: ['trackback'],
    publishedAt: '2008-06-05T12:00:00Z',
    updatedAt: '2008-06-05T12:00:00Z',
    contentHtml: '<p><strong>Camp?</strong> […] noch ein Camp […]</p>',
    summaryText: '[…] noch ein Camp […]',
    source: { title: 'Blogwoche', url: 'http://blogwoche.example/', feedUrl: null },
    inReplyTo: { id: entryId(2), url: exkurs },
  }),
  buildItem({
    id: entryId(5),
    url: 'https://freitag.example/2008/06/social-media-camp/',
    title: 'Social Media Camp hat sich noch nicht so viel getan',
    kind: 'post',
    via: ['feed', 'pingback'],
    authorName: 'Freitag',
    authorUrl: 'https://freitag.example/',
    publishedAt: '2008-06-05T08:30:00Z',
    updatedAt: '2008-06-05T09:00:00Z',
    contentHtml: '<p>[…] Social Media Camp hat sich noch nicht so viel getan […]</p>',
    lang: 'de',
    source: freitag,
    inReplyTo: { id: entryId(2), url: exkurs },
  }),
  buildItem({
    id: entryId(4),
    url: `${exkurs}#comment-4`,
    title: 'planetsab on \'Social Media Camp – ein kleiner Exkurs\'',
    kind: 'comment',
    via: ['comment-feed'],
    authorName: 'planetsab',
    authorUrl: 'http://planetsab.example/',
    publishedAt: '2008-06-04T18:15:00Z',
    updatedAt: '2008-06-04T18:15:00Z',
    contentHtml: '<p>@Jens: „Mitmachweb“ heißt eben nicht, dass alle mitmachen.</p>',
    lang: 'de',
    source: planetsab,
    inReplyTo: { id: entryId(3), url: `${exkurs}#comment-3` },
  }),
  buildItem({
    id: entryId(3),
    url: `${exkurs}#comment-3`,
    title: 'Jens Best on \'Social Media Camp – ein kleiner Exkurs\'',
    kind: 'comment',
    via: ['comment-feed'],
    authorName: 'Jens Best',
    authorUrl: 'http://jensbest.example/',
    publishedAt: '2008-06-04T16:02:00Z',
    updatedAt: '2008-06-04T16:02:00Z',
    contentHtml: '<p>Öffentliche Räume für Debatten – „Barcamp“ oder nicht, das ist hier die Frage.</p>',
    lang: 'de',
    source: planetsab,
    inReplyTo: { id: entryId(2), url: exkurs },
  }),
  buildItem({
    id: entryId(2),
    url: exkurs,
    title: 'Social Media Camp – ein kleiner Exkurs',
    kind: 'post',
    via: ['feed'],
    authorName: 'planetsab',
    authorUrl: 'http://planetsab.example/',
    publishedAt: '2008-06-03T21:40:00Z',
    updatedAt: '2008-06-04T07:00:00Z',
    contentHtml: '<p>Ein längerer Exkurs über das <a href="http://sachar.example/2008/06/social-media-camp/">Camp</a>.</p>',
    summaryText: 'Ein längerer Exkurs über das Camp.',
    lang: 'de-DE',
    source: planetsab,
    inReplyTo: { id: entryId(1), url: 'http://sachar.example/2008/06/social-media-camp/' },
    replies: { htmlUrl: `${exkurs}#comments`, feedUrl: `${exkurs}feed/atom/`, count: 4 },
  }),
  buildItem({
    id: entryId(1),
    url: 'http://sachar.example/2008/06/social-media-camp/',
    title: 'Social Media Camp',
    kind: 'post',
    via: ['feed'],
    authorName: 'Sachar',
    publishedAt: '2008-06-03T10:00:00Z',
    updatedAt: '2008-06-03T10:00:00Z',
    contentHtml: '<p>Wer macht mit beim Social Media Camp?</p>',
    lang: 'de',
    source: sachar,
    replies: { htmlUrl: 'http://sachar.example/2008/06/social-media-camp/#comments', feedUrl: 'http://sachar.example/2008/06/social-media-camp/feed/atom/', count: 2 },
  }),
];

/** Returns the sample conversation feed in the given format, with `overrides` applied. */
export function buildFeed(format: 'atom' | 'rss' | 'json', overrides: Partial<OutFeed> = {}): OutFeed {
  return {
    id: conversation.url,
    baseUrl: `${publicUrl}/`,
    title: 'Social Media Camp – ein kleiner Exkurs',
    subtitle: 'Eine Debatte über drei Blogs',
    homeUrl: conversation.url,
    selfUrl: `${conversation.url}/feed.${format}`,
    hubUrl: `${publicUrl}/websub`,
    updatedAt: '2008-06-07T08:00:00Z',
    lang: 'de',
    generator: { name: 'Palaver', uri: publicUrl, version: '0.1.0' },
    items: sampleItems,
    ...overrides,
  };
}
