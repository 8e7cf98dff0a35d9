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
import { plainMarkup } from '../../src/reader/plain-markup.ts';
import { sanitizeByLibrary, sanitizeHtml } from '../../src/reader/sanitize.ts';
import { random } from '../support/blogosphere.ts';

const base = 'https://blog.example.org/2008/11/post/';

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
  ])('writes %j as sanitize-html does', (html) => {
    expect(plainMarkup(html, base)).not.toBeNull();
    expect(plainMarkup(html, base)).toBe(sanitizeByLibrary(html, base));
  });

  it.each([
    ['<p class="x">Text</p>'],
    ['<P>Text</P>'],
    ['<p>Text <a href="http://example.org/" onclick="x()">Link</a></p>'],
    ['<a href="x" href="y">zweimal</a>'],
    ['<a title="t" href="x">Titel</a>'],
    ['<a href=x>ohne Anführung</a>'],
    ['<a href="x">in <a href="y">Link</a></a>'],
    ['<p class="x">Text</p>'.replace('p class="x"', 'p href="x"')],
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
    ['<h1>Titel</h1>'],
    ['<b>'.repeat(17) + 'x' + '</b>'.repeat(17)],
  ])('leaves %j to the sanitizer', (html) => {
    expect(plainMarkup(html, base)).toBeNull();
  });

  it('writes random strings of tags, entities and brackets as sanitize-html does, or leaves them to it', () => {
    const pieces = [
      '<p>', '</p>', '<br>', '<br/>', '<br />', '</br>', '<em>', '</em>', '<strong>', '</strong>', '<b>', '</b>', '<i>', '</i>',
      '<P>', '<p >', '<p class="a">', '<a href="x">', '<a href=\'../y?a=1&amp;b\'>', '<a href="">', '<a>', '<a rel="nofollow" href="https://example.org/ä">',
      '<a href="javascript:x">', '<a href="mailto:a@b.example">', '<a target="_blank">', '<a href="//other.example/">', '<a href="&#x6a;avascript:x">',
      '<a href="x" title="t">', '<a  href = "x">', '<a href="?x=1&copy=2&not=3&amp;y">', '</a>', '<span>', '<!-- x -->', '<!x>', '<script>', '<h2>', '<p/>', '<b/>',
      'Text', ' ', '\n', '\r\n', '\t', '\u00a0', '\u0000', '\ufeff', 'ä', '€', '"', "'", '<', '>', '< ', '<3', '>>',
      '&amp;', '&lt;', '&gt;', '&quot;', '&nbsp;', '&#8217;', '&#x27;', '&#X27;', '&#0;', '&#;', '&#x;', '&#99999999;', '&#128512;',
      '&copy', '&copy;', '&notin;', '&notit;', '&amp', '&AMP;', '&bogus;', '&', '&&', '&#38;lt;',
    ];
    const next = random(20261205);
    let taken = 0;
    for (let n = 0; n < 20_000; n++) {
      let html = '';
      const length = 1 + Math.floor(next() * 12);
      for (let k = 0; k < length; k++) html += pieces[Math.floor(next() * pieces.length)];
      const plain = plainMarkup(html, base);
      if (plain === null) continue;
      taken++;
      expect(plain, JSON.stringify(html)).toBe(sanitizeByLibrary(html, base));
    }
    // The comparison means something only if the shortcut was taken often.
    expect(taken).toBeGreaterThan(1000);
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
          const plain = plainMarkup(html, item.baseUrl ?? base);
          if (plain !== null) expect(plain, `${record.file}: ${JSON.stringify(html)}`).toBe(sanitizeByLibrary(html, item.baseUrl ?? base));
        }
      }
    }
    expect(bodies).toBeGreaterThan(50);
  });
});
