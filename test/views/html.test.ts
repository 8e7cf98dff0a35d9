import { describe, expect, it } from 'vitest';
import { escapeHtml, html, SafeHtml, trustedHtml } from '../../src/views/html.ts';

describe('escapeHtml', () => {
  it('escapes the five characters that end text or a quoted attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });
  it('leaves everything else as it is, umlauts and entities-to-be included', () => {
    expect(escapeHtml('Blogosphäre – „Camp“ © 2008')).toBe('Blogosphäre – „Camp“ © 2008');
  });
});

describe('html', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const title = '<script>alert(1)</script>';
    const href = 'javascript:alert(1)" onmouseover="x';
    expect(String(html`<a href="${href}">${title}</a>`)).toBe('<a href="javascript:alert(1)&quot; onmouseover=&quot;x">&lt;script&gt;alert(1)&lt;/script&gt;</a>');
  });

  it('writes the template itself as it is', () => {
    expect(String(html`<p class="x">a &amp; b</p>`)).toBe('<p class="x">a &amp; b</p>');
  });

  it('nests templates without escaping them twice', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(String(html`<p>${inner}</p>`)).toBe('<p><b>&lt;i&gt;</b></p>');
  });

  it('joins lists, escaping strings and keeping templates', () => {
    expect(String(html`<ul>${['<x>', html`<li>${'&'}</li>`]}</ul>`)).toBe('<ul>&lt;x&gt;<li>&amp;</li></ul>');
  });

  it('writes nothing for null, undefined and false, and numbers and true as text', () => {
    expect(String(html`[${null}|${undefined}|${false}|${0}|${true}|${12.5}]`)).toBe('[|||0|true|12.5]');
  });

  it('escapes objects through their text, so a lookalike of SafeHtml is not trusted', () => {
    const lookalike = { value: '<b>', toString: () => '<b>' };
    expect(String(html`${lookalike}`)).toBe('&lt;b&gt;');
  });
});

describe('trustedHtml', () => {
  it('passes sanitizer output through unescaped, and nothing for null', () => {
    expect(String(html`<div>${trustedHtml('<p>ok</p>')}</div>`)).toBe('<div><p>ok</p></div>');
    expect(String(html`<div>${trustedHtml(null)}</div>`)).toBe('<div></div>');
    expect(trustedHtml('<p>')).toBeInstanceOf(SafeHtml);
  });
});
