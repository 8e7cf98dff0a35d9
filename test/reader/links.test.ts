import { describe, expect, it } from 'vitest';
import { extractLinks, isThreadableUrl, readSanitizedBody } from '../../src/reader/links.ts';
import { htmlToText, sanitizeHtml } from '../../src/reader/sanitize.ts';

describe('isThreadableUrl', () => {
  it.each([
    // WordPress pretty and plain permalinks, pages, comment permalinks
    'http://sachar.example/2008/11/social-media-camp/',
    'https://www.sachar.example/2008/11/social-media-camp/#comment-402',
    'http://sachar.example/2008/11/social-media-camp/comment-page-2/#comment-1187',
    'http://sachar.example/2008/11/12/social-media-camp/',
    'http://sachar.example/social-media-camp/',
    'http://sachar.example/ueber-mich/',
    'http://sachar.example/?p=41',
    'http://sachar.example/?p=41#comment-5',
    'http://sachar.example/index.php?p=41',
    'http://sachar.example/?page_id=2',
    'http://sachar.example/index.php/2008/11/social-media-camp/',
    'http://sachar.example/archives/41',
    'http://example.org/blog/2008/11/social-media-camp/',
    'http://sachar.example/2008/11/social-media-camp/?utm_source=feedburner&utm_medium=feed',
    // Blogger posts, comment permalinks, static pages, the mobile layout
    'http://planetsab.blogspot.com/2008/11/social-media-camp-ein-kleiner-exkurs.html',
    'http://planetsab.blogspot.com/2008/11/social-media-camp-ein-kleiner-exkurs.html?showComment=1226702160000#c4711081503211547291',
    'http://planetsab.blogspot.com/2008/11/social-media-camp-ein-kleiner-exkurs.html#c4711081503211547291',
    'http://planetsab.blogspot.com/2008/11/social-media-camp-ein-kleiner-exkurs.html?m=1',
    'http://planetsab.blogspot.com/p/impressum.html',
    // Movable Type entries and comments
    'http://freitag.example/archives/2008/11/social_media_camp.html',
    'http://freitag.example/2008/11/social_media_camp.html#comment-1190',
    'http://freitag.example/blog/archives/000123.html',
    'http://freitag.example/mt/mt-search.cgi.html',
    // Loopback fixture blogs with ports
    'http://127.0.0.1:40123/2008/11/social-media-camp/',
  ])('keeps %s', (url) => {
    expect(isThreadableUrl(url)).toBe(true);
  });

  it.each([
    // home pages
    ['home', 'http://sachar.example/'],
    ['home without slash', 'http://sachar.example'],
    ['home with tracking', 'http://sachar.example/?utm_source=twitter'],
    ['home with a language switch', 'http://sachar.example/?lang=de'],
    ['index.php', 'http://sachar.example/index.php'],
    ['index.html', 'http://freitag.example/index.html'],
    ['blog folder', 'http://example.org/blog/'],
    ['blog folder index', 'http://example.org/blog/index.php'],
    ['weblog folder', 'http://example.org/weblog'],
    ['Blogger home, mobile', 'http://planetsab.blogspot.com/?m=1'],
    // listing pages
    ['tag', 'http://sachar.example/tag/barcamp/'],
    ['category', 'http://sachar.example/category/allgemein/'],
    ['category under a blog folder', 'http://example.org/blog/category/allgemein/'],
    ['author', 'http://sachar.example/author/sachar/'],
    ['search', 'http://sachar.example/?s=social+media'],
    ['search page', 'http://sachar.example/search/social-media/'],
    ['plain category', 'http://sachar.example/?cat=3'],
    ['plain tag', 'http://sachar.example/?tag=barcamp'],
    ['plain author', 'http://sachar.example/?author=1'],
    ['plain month archive', 'http://sachar.example/?m=200811'],
    ['plain paging', 'http://sachar.example/?paged=2'],
    ['Blogger label', 'http://planetsab.blogspot.com/search/label/Social%20Media'],
    ['Blogger search', 'http://planetsab.blogspot.com/search?q=camp'],
    ['Blogger older posts', 'http://planetsab.blogspot.com/search?updated-max=2008-11-14T21:36:00%2B01:00&max-results=7'],
    ['Blogger archive file', 'http://planetsab.blogspot.com/2008_11_01_archive.html'],
    ['label', 'http://example.org/label/camp/'],
    ['year archive', 'http://sachar.example/2008/'],
    ['month archive', 'http://sachar.example/2008/11/'],
    ['day archive', 'http://sachar.example/2008/11/05/'],
    ['month archive paged', 'http://sachar.example/2008/11/page/2/'],
    ['month archive in a blog folder', 'http://example.org/blog/2008/11/'],
    ['MT monthly archive', 'http://freitag.example/archives/2008/11/'],
    ['MT monthly archive index', 'http://freitag.example/2008/11/index.html'],
    ['MT archive index', 'http://freitag.example/archives.html'],
    ['archives folder', 'http://sachar.example/archives/'],
    ['home paged', 'http://sachar.example/page/2/'],
    ['attachment page', 'http://sachar.example/2008/11/social-media-camp/attachment/camp-logo/'],
    ['plain attachment', 'http://sachar.example/?attachment_id=55'],
    ['reply form link', 'http://sachar.example/2008/11/social-media-camp/?replytocom=402#respond'],
    // feeds
    ['post feed', 'http://sachar.example/feed/'],
    ['Atom feed', 'http://sachar.example/feed/atom/'],
    ['comments feed', 'http://sachar.example/comments/feed/'],
    ['post comments feed', 'http://sachar.example/2008/11/social-media-camp/feed/'],
    ['plain feed', 'http://sachar.example/?feed=rss2'],
    ['plain comments feed of a post', 'http://sachar.example/?p=41&feed=rss2'],
    ['Blogger posts feed', 'http://planetsab.blogspot.com/feeds/posts/default'],
    ['Blogger comments feed', 'http://planetsab.blogspot.com/feeds/4711/comments/default'],
    ['Blogger feed parameter', 'http://planetsab.blogspot.com/feeds/posts/default?alt=rss'],
    ['MT index.rdf', 'http://freitag.example/index.rdf'],
    ['MT atom.xml', 'http://freitag.example/atom.xml'],
    ['rss file', 'http://example.org/news.rss'],
    ['atom file', 'http://example.org/news.atom'],
    ['JSON Feed', 'http://example.org/feed.json'],
    ['Ghost rss', 'http://example.org/rss/'],
    ['FeedBurner', 'http://feeds.feedburner.com/sachar'],
    // media
    ['jpg', 'http://sachar.example/wp-content/uploads/2008/11/camp.jpg'],
    ['PNG in capitals', 'http://example.org/images/Logo.PNG'],
    ['gif', 'http://example.org/smile.gif'],
    ['webp', 'http://example.org/photo.webp'],
    ['svg', 'http://example.org/logo.svg'],
    ['mp3', 'http://example.org/podcast/folge-1.mp3'],
    ['mp4', 'http://example.org/video.mp4'],
    ['pdf', 'http://example.org/programm.pdf'],
    ['Gravatar', 'http://www.gravatar.com/avatar/ad516503a11cd5ca435acc9bb6523536?s=32'],
    ['Blogger image host', 'http://1.bp.blogspot.com/_abc/SRxyz/AAAA/s400/camp.jpg'],
    // machinery
    ['wp-login', 'http://sachar.example/wp-login.php?action=register'],
    ['xmlrpc', 'http://sachar.example/xmlrpc.php'],
    ['wp-admin', 'http://sachar.example/wp-admin/post.php?post=41&action=edit'],
    ['trackback URL', 'http://sachar.example/2008/11/social-media-camp/trackback/'],
    ['MT trackback CGI', 'http://freitag.example/mt/mt-tb.cgi/123'],
    ['Blogger profile', 'http://www.blogger.com/profile/01234567890123456789'],
    ['Blogger comment form', 'https://www.blogger.com/comment.g?blogID=123&postID=456'],
    // not http(s)
    ['mailto', 'mailto:sachar@example.org'],
    ['javascript', 'javascript:void(0)'],
    ['ftp', 'ftp://example.org/2008/11/post/'],
    ['credentials', 'http://user:secret@example.org/2008/11/post/'],
    ['not a URL', 'not a url'],
    ['relative', '/2008/11/social-media-camp/'],
  ])('drops %s: %s', (_name, url) => {
    expect(isThreadableUrl(url)).toBe(false);
  });
});

describe('extractLinks', () => {
  const base = 'http://planetsab.example/2008/11/social-media-camp-ein-kleiner-exkurs/';

  it('returns absolute URLs, keys and anchor text of links that can thread', () => {
    const html = `<p><a href="http://www.sachar.example/2008/11/social-media-camp/" title="Sachar">Sachar hat</a> vor ein
      paar Tagen die Idee eines <a href="/2008/10/barcamp-koeln/">Camps</a> in den Raum geworfen.</p>`;
    expect(extractLinks(html, base)).toEqual([
      { url: 'http://www.sachar.example/2008/11/social-media-camp/', key: 'sachar.example/2008/11/social-media-camp', text: 'Sachar hat' },
      { url: 'http://planetsab.example/2008/10/barcamp-koeln/', key: 'planetsab.example/2008/10/barcamp-koeln', text: 'Camps' },
    ]);
  });

  it('drops tag links, home pages, feeds, images and machinery, keeping the post link', () => {
    const html = `<div class="entry-content">
      <p>Siehe <a href="http://sachar.example/2008/11/social-media-camp/">Sachars Vorschlag</a>.</p>
      <p><a href="http://sachar.example/">Sachar’s Blog</a> · <a href="http://sachar.example/feed/">RSS</a>
      · <a href="http://sachar.example/wp-content/uploads/2008/11/camp.jpg"><img src="camp-150x150.jpg"></a></p>
      <p>Tags: <a href="http://planetsab.example/tag/barcamp/" rel="tag">Barcamp</a>,
      <a href="http://technorati.example/socialmedia" rel="tag">socialmedia</a></p>
      <p><a href="mailto:sab@example.org">Mail</a> <a href="javascript:window.print()">Drucken</a>
      <a href="#respond">Antworten</a> <a href="#">oben</a> <a href="">leer</a> <a name="x">anchor only</a>
      <a href="http://[::1">kaputt</a> <a href="/wp-login.php">Anmelden</a> <a href="http://creativecommons.org/licenses/by/3.0/de/" rel="license">CC</a></p>
    </div>`;
    expect(extractLinks(html, base).map((l) => l.url)).toEqual(['http://sachar.example/2008/11/social-media-camp/']);
  });

  it('keeps comment anchors, on this page and on others', () => {
    const html = `<p><a href="#comment-402">@Martin</a>: stimmt.
      Vgl. <a href="http://planetsab.blogspot.com/2008/11/exkurs.html?showComment=1226702160000#c4711">Sabines Kommentar</a>
      und <a href="http://sachar.example/2008/11/social-media-camp/#comment-403">hier</a>.</p>`;
    expect(extractLinks(html, base)).toEqual([
      { url: `${base}#comment-402`, key: 'planetsab.example/2008/11/social-media-camp-ein-kleiner-exkurs#comment-402', text: '@Martin' },
      {
        url: 'http://planetsab.blogspot.com/2008/11/exkurs.html?showComment=1226702160000#c4711',
        key: 'planetsab.blogspot.com/2008/11/exkurs.html?showComment=1226702160000#c4711',
        text: 'Sabines Kommentar',
      },
      { url: 'http://sachar.example/2008/11/social-media-camp/#comment-403', key: 'sachar.example/2008/11/social-media-camp#comment-403', text: 'hier' },
    ]);
  });

  it('drops links to the page itself', () => {
    const html = `<a href="${base}">Permalink</a> <a href="${base}#more-41">weiterlesen</a> <a href="/2008/11/social-media-camp-ein-kleiner-exkurs">ohne Slash</a>`;
    expect(extractLinks(html, base)).toEqual([]);
  });

  it('deduplicates by key, keeping the first URL and filling an empty text from a later link', () => {
    const html = `<a href="http://www.sachar.example/2008/11/social-media-camp/"><img src="x.png"></a>
      <a href="https://sachar.example/2008/11/social-media-camp">Sachars   Post</a>
      <a href="http://sachar.example/2008/11/social-media-camp/?utm_source=feed">nochmal</a>`;
    expect(extractLinks(html, base)).toEqual([
      { url: 'http://www.sachar.example/2008/11/social-media-camp/', key: 'sachar.example/2008/11/social-media-camp', text: 'Sachars Post' },
    ]);
  });

  it('resolves against the <base> a page declares', () => {
    const html = '<html><head><base href="http://freitag.example/archives/"></head><body><a href="2008/11/social_media_camp.html">Freitag</a></body></html>';
    expect(extractLinks(html, base).map((l) => l.url)).toEqual(['http://freitag.example/archives/2008/11/social_media_camp.html']);
  });

  it('reads hostile or broken markup without throwing', () => {
    const html = '<a href="http://sachar.example/2008/11/x/"<<b>>text</a><a href=javascript:alert(1)>x</a><a href="  http://sachar.example/2008/11/y/  ">y<';
    expect(extractLinks(html, base).map((l) => l.key)).toEqual(['sachar.example/2008/11/x', 'sachar.example/2008/11/y']);
  });

  it('reads anchors as a browser builds them: an anchor inside another ends it, none inside <noscript> or <script>, entities decoded', () => {
    const html =
      '<A HREF="http://sachar.example/2008/11/eins/">eins <a href="http://sachar.example/2008/11/zwei/">zwei</a> danach</A>' +
      '<noscript><a href="http://sachar.example/2008/11/noscript/">n</a></noscript><script>document.write("<a href=\'http://sachar.example/2008/11/script/\'>s</a>")</script>' +
      '<a href="http://sachar.example/?p=3&amp;lang=de">Drei &amp; vier</a>';
    expect(extractLinks(html, base).map((l) => [l.url, l.text])).toEqual([
      ['http://sachar.example/2008/11/eins/', 'eins'],
      ['http://sachar.example/2008/11/zwei/', 'zwei'],
      ['http://sachar.example/?p=3&lang=de', 'Drei & vier'],
    ]);
  });

  it('returns nothing for an unusable base URL and no links', () => {
    expect(extractLinks('<a href="/2008/11/x/">x</a>', 'not a url')).toEqual([]);
    expect(extractLinks('', base)).toEqual([]);
  });
});

describe('readSanitizedBody', () => {
  const base = 'http://sachar.example/2008/11/camp/';
  const bodies = [
    '<p>Siehe <a href="http://freitag.example/gerede/">Freitag &amp; Co</a> und <a href="/2008/10/vorher/">vorher</a>.</p><ul><li>eins</li><li>zwei</li></ul>',
    '<p>Nur Text &lt;!-- kein Kommentar --&gt; und <a href="http://x.example/tag/camp/" rel="tag">Tag</a></p><noscript><a href="http://y.example/z/">z</a></noscript>',
    'Ohne Markup, ohne Entitäten',
    `<p>${'<a href="http://tief.example/a/">'.repeat(300)}tief${'</a>'.repeat(300)}</p>`,
    `<p>Ein <!' falscher Kommentar <a href="http://bogus.example/post/">danach</a></p>`,
    `${'<div><blockquote>'.repeat(150)}innen<a href="http://deep.example/x/">tief</a>${'</blockquote></div>'.repeat(150)}`,
    '<p><a href="http://a.example/1/">eins<a href="http://a.example/2/">zwei</a></a><script>x()</script>Ende</p>',
  ];

  it.each(bodies)('reads the links extractLinks finds and the text htmlToText gives of sanitized HTML, in one pass: %#', (raw) => {
    const html = sanitizeHtml(raw, base);
    const read = readSanitizedBody(html, base);
    expect(read.links).toEqual(extractLinks(html, base));
    expect(read.text).toBe(htmlToText(html));
  });

  it('finds the links and the text of a body', () => {
    const read = readSanitizedBody(sanitizeHtml(bodies[0]!, base), base);
    expect(read.links.map((l) => l.key)).toEqual(['freitag.example/gerede', 'sachar.example/2008/10/vorher']);
    expect(read.text).toBe('Siehe Freitag & Co und vorher. eins zwei');
  });
});
