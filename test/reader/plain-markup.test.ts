// The shortcut for plain markup must write exactly what sanitize-html writes, and take nothing
// the sanitizer would change otherwise: compared on comments as blogs send them, on random
// strings built from the pieces that matter (tags and links in every spelling, entities, stray
// brackets), and on every body of the shared corpus when it is there.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../src/reader/decode.ts';
import { parseFeed } from '../../src/reader/parse-feed.ts';
import { linksOfAnchors, readSanitizedBody } from '../../src/reader/links.ts';
import { plainMarkup } from '../../src/reader/plain-markup.ts';
import { collapseText, sanitizeByLibrary, sanitizeHtml } from '../../src/reader/sanitize.ts';
import { random } from '../support/blogosphere.ts';

const base = 'https://blog.example.org/2008/11/post/';
/** The body the shortcut writes, or null where it leaves html to the sanitizer. */
const plainHtml = (html: string, baseUrl: string | null) => plainMarkup(html, baseUrl)?.html ?? null;
/** Where an entry's body is read against (its own URL), other than where the feed put it. */
const entryUrl = 'https://blog.example.org/2008/11/entry/';

/** What the shortcut read while writing html is what a reading of the body it wrote finds. */
function expectSameReading(html: string, baseUrl: string | null = base): void {
  const plain = plainMarkup(html, baseUrl)!;
  expect({ links: linksOfAnchors(plain.anchors, entryUrl), text: collapseText(plain.text) }, JSON.stringify(html)).toEqual(
    readSanitizedBody(plain.html.trim(), entryUrl),
  );
}

describe('plainMarkup', () => {
  it.each([
    ['<p>Text</p>'],
    ['<p>Da hast du recht &#8211; aber &#8222;Blogs&#8220; sind nicht tot.</p>\n'],
    ['<p>Erster Absatz.</p>\n<p>Zweiter, mit <em>Betonung</em> und <strong>mehr</strong>.<br />\nNeue Zeile</p>\n'],
    ['Nur Text mit &amp; und &lt;Klammern&gt; &nbsp;und &copy 2008 &bogus; & allein'],
    ['<p>a &lt; b und c > d</p>'],
    ['<p>Zeile<br>Zeile<br/>Zeile<br />Ende</p>'],
    ['<b><i>fett und kursiv</i></b> &#x1F600; &#0; &#99999999;'],
    ['<p>Siehe <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc">hier</a> und <a href=\'/relativ\' target="_blank"><em>dort</em></a>.</p>'],
    ['<a href="javascript:alert(1)">nein</a> <a href="">leer</a> <a>ohne</a> <a href="mailto:a@example.org">Post</a> <a href="http://[x">kaputt</a>'],
    ['<a\nhref="x"\n>Zeilen</a> <a href="x&quot;y">Anführung</a> <a href="  x  ">Leerzeichen</a>'],
    [''],
    // Attributes the sanitizer drops, and those it keeps on a link.
    ['<p class="x">Text</p>'],
    ['<p href="x">Text</p>'],
    ['<p>Text <a href="http://example.org/" onclick="x()">Link</a></p>'],
    ['<a title="t &amp; u" href="x" hreflang="de" class="more-link">Titel</a> <a title="" href="x">leer</a>'],
    // WordPress's blocks.
    ['<h1>Titel</h1><h2 class="wp-block-heading">Zwei</h2><h3>Drei</h3><h4>Vier</h4><h5>Fünf</h5><h6>Sechs</h6>'],
    ['<blockquote class="wp-block-quote is-layout-flow wp-block-quote-is-layout-flow"><p>Zitat</p></blockquote>'],
    ['<blockquote cite="/quelle?a=1&amp;b=2"><p>Zitat</p></blockquote><blockquote cite="javascript:x"><p>nein</p></blockquote><blockquote cite=""><p>leer</p></blockquote>'],
    ['<figure class="wp-block-image size-large"><img decoding="async" width="1024" height="683" src="/wp-content/uploads/2024/05/camp.jpg" alt="" class="wp-image-7"/></figure>'],
    ['<figure><img src="https://cdn.example/a.jpg" alt="Ein &quot;Bild&quot; &amp; mehr" title="t" loading="lazy"><figcaption>Bild: <em>Autorin</em></figcaption></figure>'],
    ['<img src="javascript:x" alt="weg"> <img src="data:image/png;base64,AAAA"> <img src="mailto:a@example.org"> <img src="" width="" height="10" alt="">'],
    ['<ul class="wp-block-list"><li>eins</li><li><p>zwei</p><ol><li>drei</li></ol></li></ul>'],
    ['<p>Absatz</p><ul><li>Punkt mit <a href="x">Link</a></li></ul><blockquote><ul><li><blockquote><p>tief</p></blockquote></li></ul></blockquote>'],
    ['<li><p>Absatz</p></li><p><li>im Absatz</li></p>'],
    // An image's srcset as WordPress writes it, and as image services do.
    ['<figure class="wp-block-image size-large"><img decoding="async" width="1024" height="683" src="/wp-content/uploads/camp-1024x683.jpg" alt="" class="wp-image-7" srcset="/wp-content/uploads/camp-1024x683.jpg 1024w, /wp-content/uploads/camp-300x200.jpg 300w, /wp-content/uploads/camp-768x512.jpg 768w" sizes="(max-width: 1024px) 100vw, 1024px" /></figure>'],
    ['<img src="a.jpg" srcset="a.jpg 1x, b.jpg 2x">'],
    ['<img srcset="a.jpg 1.50x, b.jpg 2.0x, c.jpg 0.5x, d.jpg, https://img.example/w_300,h_200/e.jpg 300w">'],
    ['<img srcset="javascript:x 1x, data:image/png;base64,AA 2x, //cdn.example/f.jpg 3x">'],
    ['<img srcset="javascript:x 1x" alt="nur schlechte"> <img srcset="" alt="leer"> <img srcset="a.jpg 1x (x)">'],
  ])('writes %j as sanitize-html does, and reads it as a reading of what it wrote would', (html) => {
    expect(plainHtml(html, base)).not.toBeNull();
    expect(plainHtml(html, base)).toBe(sanitizeByLibrary(html, base));
    expectSameReading(html);
  });

  it.each([
    ['<P>Text</P>'],
    ['<a href="x" href="y">zweimal</a>'],
    ['<p class="a" class="b">zweimal</p>'],
    ['<a href=x>ohne Anführung</a>'],
    ['<a href="x">in <a href="y">Link</a></a>'],
    ['<p lang="de">Sprache</p>'],
    ['<blockquote dir="rtl"><p>Richtung</p></blockquote>'],
    ['<img src="a.jpg" srcset="a.jpg 0x">'],
    ['<img src="a.jpg" srcset="a.jpg 01w">'],
    ['<img src="a.jpg" srcset="a.jpg 1x 100w">'],
    ['<img src="a.jpg" srcset="a.jpg 100h">'],
    ['<img src="a.jpg" srcset="a.jpg .5x">'],
    ['<img src="a.jpg" srcset="a.jpg 1e2x">'],
    ['<ol start="3"><li>drei</li></ol>'],
    ['<ol reversed="reversed"><li>x</li></ol>'],
    ['<ul><li value="2">x</li></ul>'],
    ['<p>Absatz<ul><li>Liste</li></ul></p>'],
    ['<p>Absatz<blockquote>Zitat</blockquote></p>'],
    ['<p><h2>Überschrift</h2></p>'],
    ['<ul><li>eins<li>zwei</li></li></ul>'],
    ['<em><blockquote>Zitat</blockquote></em>'],
    ['<a href="x"><figure>Bild</figure></a>'],
    ['<img src="a.jpg"></img>'],
    ['<br class="x">'],
    ['<img src="a.jpg" alt="a > b">'],
    ['<figure><img src=a.jpg></figure>'],
    ['<h7>Titel</h7>'],
    ['<div>Block</div>'],
    ['<A HREF="x">groß</A>'],
    ['<p>offen'],
    ['<em>falsch <strong>verschachtelt</em></strong>'],
    ['<em><p>Absatz in Betonung</p></em>'],
    ['<p><p>zweimal</p></p>'],
    ['</p>'],
    ['a <b c'],
    ['a < b'],
    ['<!-- Kommentar -->'],
    ['<script>alert(1)</script>'],
    ['<p/>'],
    ['</br>'],
    ['<b>'.repeat(17) + 'x' + '</b>'.repeat(17)],
  ])('leaves %j to the sanitizer', (html) => {
    expect(plainHtml(html, base)).toBeNull();
  });

  it('writes random strings of tags, entities and brackets as sanitize-html does, or leaves them to it', () => {
    const pieces = [
      '<p>', '</p>', '<br>', '<br/>', '<br />', '</br>', '<em>', '</em>', '<strong>', '</strong>', '<b>', '</b>', '<i>', '</i>',
      '<P>', '<p >', '<p class="a">', '<a href="x">', '<a href=\'../y?a=1&amp;b\'>', '<a href="">', '<a>', '<a rel="nofollow" href="https://example.org/ä">',
      '<a href="javascript:x">', '<a href="mailto:a@b.example">', '<a target="_blank">', '<a href="//other.example/">', '<a href="&#x6a;avascript:x">',
      '<a href="x" title="t">', '<a  href = "x">', '<a href="?x=1&copy=2&not=3&amp;y">', '</a>', '<span>', '<!-- x -->', '<!x>', '<script>', '<h2>', '<p/>', '<b/>',
      '<a class="x" href="y" data-id="1">', '<a title="" hreflang="de">', '<p class="has-text-align-center">', '<p lang="de">', '<em style="x">',
      '<blockquote>', '<blockquote class="wp-block-quote">', '<blockquote cite="x?a&amp;b">', '<blockquote cite="javascript:x">', '</blockquote>',
      '<figure>', '<figure class="wp-block-image">', '</figure>', '<figcaption>', '</figcaption>', '<ul>', '<ul class="wp-block-list">', '</ul>',
      '<ol>', '<ol start="2">', '</ol>', '<li>', '<li value="1">', '</li>', '<h1>', '</h1>', '<h2 class="wp-block-heading">', '</h2>', '<h3>', '</h3>', '<h6>', '</h6>',
      '<img src="a.jpg">', '<img src="a.jpg" alt="" />', '<img alt="Bild &amp; Text" src=\'//cdn.example/b.png\' width="10" height="" class="x"/>',
      '<img src="javascript:x">', '<img src="" alt="">', '<img title="t" srcset="a.jpg 2x">', '<img src="a.jpg" src="b.jpg">', '</img>', '<img src=a.jpg>',
      '<img srcset="a.jpg 300w, b.jpg 1024w">', '<img srcset="a.jpg 1.50x,b.jpg">', '<img srcset="a.jpg 0x">', '<img srcset="javascript:x 2x, c.jpg 3x">', '<img srcset=",, a.jpg , b.jpg 2x,">',
      'Text', ' ', '\n', '\r\n', '\t', '\u00a0', '\u0000', '\ufeff', 'ä', '€', '"', "'", '<', '>', '< ', '<3', '>>',
      '&amp;', '&lt;', '&gt;', '&quot;', '&nbsp;', '&#8217;', '&#x27;', '&#X27;', '&#0;', '&#;', '&#x;', '&#99999999;', '&#128512;',
      '&copy', '&copy;', '&notin;', '&notit;', '&amp', '&AMP;', '&bogus;', '&', '&&', '&#38;lt;',
    ];
    const next = random(20261205);
    let taken = 0;
    let blocks = 0;
    for (let n = 0; n < 20_000; n++) {
      let html = '';
      const length = 1 + Math.floor(next() * 12);
      for (let k = 0; k < length; k++) html += pieces[Math.floor(next() * pieces.length)];
      const plain = plainHtml(html, base);
      if (plain === null) continue;
      taken++;
      if (/<(?:img|blockquote|figure|ul|ol|h\d)/.test(html)) blocks++;
      expect(plain, JSON.stringify(html)).toBe(sanitizeByLibrary(html, base));
      expectSameReading(html);
    }
    // The comparison means something only if the shortcut was taken often, blocks and images too.
    expect(taken).toBeGreaterThan(1000);
    expect(blocks).toBeGreaterThan(100);
  });

  it('writes random trees of WordPress blocks, emphasis and links with random attributes as sanitize-html does, or leaves them to it', () => {
    const next = random(20261206);
    const pick = <T,>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const texts = ['Text', ' ', '\n', 'ä &amp; ö', '&#8222;Zitat&#8220;', '&nbsp;', 'a &lt; b', '>', '&copy', '"', "'"];
    const attributes = [
      ' class="wp-block-x"', ' id="a1"', ' data-id="7"', ' style="color:red"', ' onclick="x()"', ' title="T &amp; t"', ' title=""', " title='einfach'",
      ' href="x?a=1&amp;b=2"', ' href=""', ' href="javascript:x"', ' href="//cdn.example/"', ' rel="nofollow"', ' target="_blank"', ' hreflang="de"',
      ' cite="/quelle"', ' cite="mailto:a@b.example"', ' src="/a.jpg"', ' src="https://cdn.example/b.png?x=1&amp;y=2"', ' src="data:x"', ' src="mailto:a@b.example"', ' src=""',
      ' alt=""', ' alt="Bild &quot;eins&quot;"', ' width="640"', ' height=""', ' loading="lazy"', ' decoding="async"', ' sizes="100vw"',
      ' lang="de"', ' srcset="a.jpg 2x"', ' srcset="/a-300x200.jpg 300w, /a-1024x683.jpg 1024w"', ' srcset="a.jpg 1.50x, https://img.example/w_300,h_200/b.jpg 2.0x"',
      ' srcset="a.jpg 0x"', ' srcset="a.jpg 1x 2w"', ' srcset="javascript:x 1x"', ' srcset=""', ' srcset="a.jpg 007w"', ' start="2"', ' value="3"',
    ];
    const blocks = ['p', 'blockquote', 'figure', 'figcaption', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h6'];
    const inline = ['em', 'strong', 'b', 'i', 'a'];
    const attrs = () => Array.from({ length: Math.floor(next() * 3) }, () => pick(attributes)).join('');
    const tree = (depth: number): string => {
      let html = '';
      for (let k = Math.floor(next() * 4); k >= 0; k--) {
        const r = next();
        if (depth > 4 || r < 0.35) html += pick(texts);
        else if (r < 0.45) html += pick(['<br>', '<br />', `<img${attrs()}>`, `<img${attrs()} />`]);
        else {
          const name = r < 0.75 ? pick(blocks) : pick(inline);
          html += `<${name}${attrs()}>${tree(depth + 1)}</${name}>`;
        }
      }
      return html;
    };
    let taken = 0;
    let withAttributes = 0;
    for (let n = 0; n < 20_000; n++) {
      const html = tree(0);
      const plain = plainHtml(html, base);
      if (plain === null) continue;
      taken++;
      if (/<[a-z0-9]+ /.test(html)) withAttributes++;
      expect(plain, JSON.stringify(html)).toBe(sanitizeByLibrary(html, base));
      expectSameReading(html);
    }
    expect(taken).toBeGreaterThan(2000);
    expect(withAttributes).toBeGreaterThan(1000);
  });

  it('is what sanitizeHtml gives, trimmed', () => {
    expect(sanitizeHtml('\n<p>Text &#8211; mehr</p>\n', base)).toBe('<p>Text – mehr</p>');
    expect(sanitizeHtml('<p>Text <a href="x">Link</a></p>', base)).toBe('<p>Text <a href="https://blog.example.org/2008/11/post/x" rel="nofollow ugc noopener">Link</a></p>');
    expect(sanitizeHtml('<p>Text <a href="x" title="t">Link</a></p>', base)).toBe('<p>Text <a href="https://blog.example.org/2008/11/post/x" title="t" rel="nofollow ugc noopener">Link</a></p>');
  });
});

const corpusDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');
const manifestPath = path.join(corpusDir, 'manifest.json');

describe.skipIf(!existsSync(manifestPath))('plainMarkup on the shared corpus (../shared/corpus, read in place)', () => {
  it('writes every item body it takes as sanitize-html does', async () => {
    const records = JSON.parse(readFileSync(manifestPath, 'utf8')) as { file: string; format: string }[];
    let bodies = 0;
    for (const record of records) {
      if (record.format === 'html') continue;
      let feed;
      try {
        feed = await parseFeed(decodeText(readFileSync(path.join(corpusDir, record.file)), null, record.format === 'json' ? 'json' : 'xml').text, base);
      } catch {
        continue;
      }
      for (const item of feed.items) {
        for (const html of [item.contentHtml, item.summaryHtml]) {
          if (!html) continue;
          bodies++;
          const plain = plainHtml(html, item.baseUrl ?? base);
          if (plain === null) continue;
          expect(plain, `${record.file}: ${JSON.stringify(html)}`).toBe(sanitizeByLibrary(html, item.baseUrl ?? base));
          expectSameReading(html, item.baseUrl ?? base);
        }
      }
    }
    expect(bodies).toBeGreaterThan(50);
  });
});
