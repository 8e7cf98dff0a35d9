import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { flattenDeepNesting, htmlToText, sanitizeHtml } from '../../src/reader/sanitize.ts';
import { random } from '../support/blogosphere.ts';

const base = 'https://blog.example.org/2008/11/post/';

/** Every element name and attribute of the sanitized output, as a browser would parse it. */
function inspect(html: string): { elements: string[]; attributes: string[] } {
  const $ = load(html, null, false);
  const elements: string[] = [];
  const attributes: string[] = [];
  for (const el of $('*').toArray()) {
    if (!('attribs' in el)) continue;
    elements.push(el.name.toLowerCase());
    attributes.push(...Object.keys(el.attribs).map((a) => a.toLowerCase()));
  }
  return { elements, attributes };
}

describe('sanitizeHtml', () => {
  it('keeps "<!" that opens no comment as text, and still drops comments and declarations', () => {
    expect(sanitizeHtml(`<!' <a href="foo">x</a>`, base)).toBe(`&lt;!' <a href="https://blog.example.org/2008/11/post/foo" rel="nofollow ugc noopener">x</a>`);
    expect(sanitizeHtml('<p>1 <!> 2 <!? 3></p>', base)).toBe('<p>1 &lt;!&gt; 2 &lt;!? 3&gt;</p>');
    expect(sanitizeHtml('safe<!-- <script>x</script> -->', base)).toBe('safe');
    expect(sanitizeHtml('safe<!--', base)).toBe('safe');
    expect(sanitizeHtml('<!DOCTYPE html><p>a</p>', base)).toBe('<p>a</p>');
    expect(htmlToText(`<!' <a href="foo">`)).toBe(`<!'`);
  });

  it('removes script elements with their content', () => {
    const out = sanitizeHtml('<p>Hallo<script>alert(document.cookie)</script> Welt</p>', base);
    expect(out).toBe('<p>Hallo Welt</p>');
  });

  it('removes event-handler attributes such as onerror and onclick', () => {
    const out = sanitizeHtml('<img src="https://img.example.org/a.png" onerror="alert(1)" onclick="x()" alt="a">', base);
    expect(out).toBe('<img src="https://img.example.org/a.png" alt="a" />');
  });

  it.each([
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  ])('drops the unsafe href of %s but keeps the link text', (html) => {
    const out = sanitizeHtml(html, base);
    expect(out).toBe('<a rel="nofollow ugc noopener">x</a>');
  });

  it('drops data: image sources and keeps http(s) ones', () => {
    expect(sanitizeHtml('<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="d">', base)).toBe('<img alt="d" />');
    expect(sanitizeHtml('<img src="http://img.example.org/a.png">', base)).toBe('<img src="http://img.example.org/a.png" />');
  });

  it('does not allow mailto: for images but does for links', () => {
    expect(sanitizeHtml('<img src="mailto:a@b.c">', base)).toBe('<img />');
    expect(sanitizeHtml('<a href="mailto:jens@example.org">Mail</a>', base)).toBe('<a href="mailto:jens@example.org" rel="nofollow ugc noopener">Mail</a>');
  });

  it('removes iframe, object, embed and applet', () => {
    const out = sanitizeHtml(
      '<iframe src="https://evil.example/"></iframe><object data="x.swf"><param name="a" value="b"></object><embed src="x.swf"><applet code="X"></applet><p>ok</p>',
      base,
    );
    expect(inspect(out).elements).toEqual(['p']);
  });

  it('removes style attributes and style elements', () => {
    const out = sanitizeHtml('<style>body{display:none}</style><p style="position:absolute;top:0;background-image:url(x)">Text</p>', base);
    expect(out).toBe('<p>Text</p>');
  });

  it('removes svg with its onload handler', () => {
    const out = sanitizeHtml('<svg onload="alert(1)"><circle r="5"/><script>alert(2)</script></svg><p>nach</p>', base);
    expect(inspect(out).elements).toEqual(['p']);
    expect(out).not.toContain('alert');
  });

  it('removes forms and their controls but keeps the text around them', () => {
    const out = sanitizeHtml('<form action="https://evil.example/"><input name="pw"><button formaction="javascript:x">Los</button><textarea>t</textarea></form>', base);
    expect(inspect(out).elements).toEqual([]);
    expect(out).toBe('Los');
  });

  it('removes link, meta and base elements', () => {
    const out = sanitizeHtml('<link rel="stylesheet" href="https://evil.example/x.css"><meta http-equiv="refresh" content="0;url=https://evil.example/"><base href="https://evil.example/"><p>x</p>', base);
    expect(out).toBe('<p>x</p>');
  });

  it('removes comments, also an unclosed one', () => {
    expect(sanitizeHtml('<p>a<!-- <script>x</script> -->b</p>', base)).toBe('<p>ab</p>');
    expect(sanitizeHtml('safe<!--', base)).toBe('safe');
  });

  it('marks links nofollow ugc noopener and strips target', () => {
    const out = sanitizeHtml('<a href="https://sachar.example.com/" target="_blank" rel="author">Sachar</a>', base);
    expect(out).toBe('<a href="https://sachar.example.com/" rel="nofollow ugc noopener">Sachar</a>');
  });

  it('makes relative URLs absolute against the base', () => {
    const out = sanitizeHtml(
      '<a href="../other/">o</a><a href="/about">a</a><a href="#comment-3">c</a><img src="bild.jpg" srcset="bild-2x.jpg 2x, /img/w_100,h_100/c.jpg 100w"><blockquote cite="quelle.html">q</blockquote>',
      base,
    );
    const $ = load(out, null, false);
    expect($('a').map((_i, a) => $(a).attr('href')).get()).toEqual([
      'https://blog.example.org/2008/11/other/',
      'https://blog.example.org/about',
      'https://blog.example.org/2008/11/post/#comment-3',
    ]);
    expect($('img').attr('src')).toBe('https://blog.example.org/2008/11/post/bild.jpg');
    expect($('img').attr('srcset')).toBe('https://blog.example.org/2008/11/post/bild-2x.jpg 2x, https://blog.example.org/img/w_100,h_100/c.jpg 100w');
    expect($('blockquote').attr('cite')).toBe('https://blog.example.org/2008/11/post/quelle.html');
  });

  it('reads a srcset candidate with a long run of commas in one pass', () => {
    // With a regular expression for the commas a candidate ends with, 200,000 inside one took about half a minute.
    const commas = ','.repeat(200_000);
    const $ = load(sanitizeHtml(`<img src="bild.jpg" srcset="b${commas}c, bild-2x.jpg 2x">`, base), null, false);
    expect($('img').attr('srcset')).toBe(`https://blog.example.org/2008/11/post/b${commas}c, https://blog.example.org/2008/11/post/bild-2x.jpg 2x`);
  });

  it('resolves protocol-relative URLs to the base scheme', () => {
    expect(sanitizeHtml('<img src="//cdn.example.org/a.png">', base)).toBe('<img src="https://cdn.example.org/a.png" />');
  });

  it('drops relative URLs when there is no base to resolve them against', () => {
    expect(sanitizeHtml('<a href="post.html">x</a><img src="a.png">', null)).toBe('<a rel="nofollow ugc noopener">x</a><img />');
  });

  it('demotes headings below the page headings', () => {
    expect(sanitizeHtml('<h1>Eins</h1><h2>Zwei</h2><h6>Sechs</h6>', base)).toBe('<h3>Eins</h3><h4>Zwei</h4><h6>Sechs</h6>');
  });

  it('keeps the allowed text structure', () => {
    const html =
      '<p>Ein <em>kurzer</em> <strong>Text</strong> mit <code>code</code>, <abbr title="Social Media Camp">SMC</abbr> und <time datetime="2008-11-12">heute</time>.</p><ul><li>eins</li></ul><table><tr><td colspan="2">z</td></tr></table>';
    const out = sanitizeHtml(html, base);
    expect(inspect(out).elements).toEqual(['p', 'em', 'strong', 'code', 'abbr', 'time', 'ul', 'li', 'table', 'tbody', 'tr', 'td']);
    expect(out).toContain('<abbr title="Social Media Camp">SMC</abbr>');
    expect(out).toContain('<td colspan="2">z</td>');
  });

  it('drops id and class attributes (DOM clobbering, page CSS)', () => {
    expect(sanitizeHtml('<p id="login" class="admin">x</p>', base)).toBe('<p>x</p>');
  });

  it('sanitizes a 500 KB document with heavy inline CSS', () => {
    const block = '<div style="color:red;background:url(javascript:alert(1));position:absolute;font:12px/1.5 Georgia, serif;margin:0 auto;padding:1px 2px 3px 4px;"><p style="width:expression(alert(1));">Absatz mit Text</p></div>\n';
    const html = block.repeat(Math.ceil(500_000 / block.length));
    const out = sanitizeHtml(html, base);
    expect(out).not.toContain('style');
    expect(out).not.toContain('javascript');
    expect(out.match(/<p>Absatz mit Text<\/p>/g)).toHaveLength(Math.ceil(500_000 / block.length));
  });

  it('flattens markup nested 200 000 levels deep and keeps its text', () => {
    const html = `${'<span>'.repeat(200_000)}tief${'</span>'.repeat(200_000)}<p>danach</p>`;
    const out = sanitizeHtml(html, base);
    expect(out).toContain('tief');
    expect(out).toContain('<p>danach</p>');
    expect((out.match(/<span>/g) ?? []).length).toBeLessThanOrEqual(200);
  });
  it('finds the tags htmlparser2 finds when it flattens: <div/> opens a div, quoted values may hold < and >', () => {
    const count = (html: string, tag: string) => html.split(tag).length - 1;
    // HTML reads the slash of <div/> as nothing: 300 of them nest 300 deep.
    expect(count(flattenDeepNesting('<div/>'.repeat(300)), '<div/>')).toBe(200);
    expect(count(flattenDeepNesting('<div x="<">'.repeat(300)), '<div x="<">')).toBe(200);
    const quotedGt = flattenDeepNesting(`${'<a title="a>b">'.repeat(300)}Text`);
    expect(count(quotedGt, '<a title="a>b">')).toBe(200);
    expect(quotedGt.endsWith('<a title="a>b">Text')).toBe(true);
    // In <svg> and <math> the slash closes the element, so nothing there nests.
    const icon = `<svg>${'<path d="M0"/>'.repeat(300)}</svg><p>${'<span>x</span>'.repeat(300)}</p>`;
    expect(flattenDeepNesting(icon)).toBe(icon);
    // A comment's tags are text to the parser.
    const commented = `<!-- ${'<div>'.repeat(300)} -->${'<b>x</b>'.repeat(200)}`;
    expect(flattenDeepNesting(commented)).toBe(commented);
  });
});

describe('htmlToText', () => {
  it('drops tags and scripts, decodes entities and collapses whitespace', () => {
    expect(htmlToText('<p>Caf&eacute;   &amp;\n<b>Kuchen</b></p><script>x()</script><style>p{}</style>')).toBe('Café & Kuchen');
  });

  it('separates block elements with a space', () => {
    expect(htmlToText('<p>eins</p><p>zwei</p><ul><li>drei</li><li>vier</li></ul>zwei<br>Zeilen')).toBe('eins zwei drei vier zwei Zeilen');
  });

  it('decodes text without markup as the HTML parser decodes it inside markup', () => {
    const pieces = ['Text', ' ', '\n', '\u00a0', '\u0000', 'ä', '>', '"', '&amp;', '&lt;', '&gt;', '&quot;', '&nbsp;', '&#8222;', '&#8230;', '&#x27;', '&#X27;', '&#0;', '&#;', '&#x;', '&#99999999;', '&#128512;', '&copy', '&copy;', '&notin;', '&notit;', '&amp', '&AMP;', '&bogus;', '&', '&&', '&#38;lt;'];
    const next = random(20261206);
    for (let n = 0; n < 5_000; n++) {
      let text = '';
      for (let k = 1 + Math.floor(next() * 8); k > 0; k--) text += pieces[Math.floor(next() * pieces.length)];
      expect(htmlToText(text), JSON.stringify(text)).toBe(htmlToText(`<b></b>${text}`));
    }
  });

  it('keeps text that only looks like markup', () => {
    expect(htmlToText('Tom & Jerry <3')).toBe('Tom & Jerry <3');
  });

  it('returns short text unchanged', () => {
    expect(htmlToText('<p>Kurzer Text</p>', 280)).toBe('Kurzer Text');
  });

  it('cuts long text at a word boundary with an ellipsis', () => {
    const out = htmlToText('<p>Beim Social Media Camp hat sich noch nicht so viel getan, schreibt der Freitag.</p>', 40);
    expect(out).toBe('Beim Social Media Camp hat sich noch…');
    expect(out.length).toBeLessThanOrEqual(40);
  });

  it('cuts a single long word hard when there is no boundary', () => {
    const out = htmlToText('x'.repeat(100), 10);
    expect(out).toBe(`${'x'.repeat(9)}…`);
  });

  it('never splits a surrogate pair', () => {
    const out = htmlToText(`${'a'.repeat(8)}😀😀😀`, 10);
    expect(out).toBe(`${'a'.repeat(8)}…`);
  });

  it('returns an empty string for markup without text', () => {
    expect(htmlToText('<img src="x.png"><script>alert(1)</script>')).toBe('');
    expect(htmlToText('')).toBe('');
  });

  it('reduces deeply nested markup without overflowing the stack', () => {
    expect(htmlToText(`${'<b>'.repeat(100_000)}tief`)).toBe('tief');
  });
});
