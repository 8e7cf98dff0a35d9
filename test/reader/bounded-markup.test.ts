// Trees of foreign markup built within limits: elements counted as the parser creates them (those
// it builds again included), depth as it opens them, and the clock; the same tree as cheerio's
// below the limits.
import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { loadHtmlWithin, loadXmlWithin, MarkupLimitError } from '../../src/reader/bounded-markup.ts';

const roomy = { maxElements: 100_000, maxDepth: 512, maxMs: 60_000 };

describe('loadHtmlWithin', () => {
  it('builds the tree cheerio.load builds', () => {
    const html = '<!doctype html><title>T</title><p>Ein <b>fetter <i>und</b> kursiver</i> Satz<table><td>Zelle</table>';
    expect(loadHtmlWithin(html, roomy).html()).toBe(cheerio.load(html).html());
  });

  it('counts the elements the parser builds again, not the tags written', () => {
    const open = Array.from({ length: 10 }, (_, i) => `<b id="b${i}">`).join('');
    // 10 open formatting elements, rebuilt in each of 100 paragraphs: about 1,100 elements from 111 start tags.
    const html = `<div>${open}</div>${'<p>x</p>'.repeat(100)}`;
    expect(cheerio.load(html)('b').length).toBeGreaterThan(1000);
    expect(() => loadHtmlWithin(html, { ...roomy, maxElements: 500 })).toThrow(new MarkupLimitError('elements', 'the page builds more than 500 elements'));
  });

  it('counts depth as the parser opens elements: <div/> opens one, <p> closes the one before', () => {
    expect(() => loadHtmlWithin('<div/>'.repeat(100), { ...roomy, maxDepth: 50 }, 'the source page')).toThrow(new MarkupLimitError('depth', 'the source page nests elements more than 50 levels deep'));
    expect(loadHtmlWithin('<p>x'.repeat(1000), { ...roomy, maxDepth: 50 })('p').length).toBe(1000);
  });

  it('reads a numeric character reference of 309 digits or more as U+FFFD, in text and attributes', () => {
    // parse5 7's own entities 6 computed such a reference as 0 × Infinity and threw "Invalid code
    // point NaN" from the whole parse (a fuzzed page); entities 7, which package.json's overrides
    // give it, counts digit by digit.
    const long = (digits: string) => `<p title="&#${digits};">a&#${digits};b</p><p>&#x${digits}`;
    for (const digits of ['0'.repeat(400), '1'.repeat(400)]) {
      const $ = loadHtmlWithin(long(digits), roomy);
      expect($('p').first().text()).toBe('a\uFFFDb');
      expect($('p').first().attr('title')).toBe('\uFFFD');
      expect($('p').last().text()).toBe('\uFFFD');
    }
  });

  it('stops at its time limit', () => {
    expect(() => loadHtmlWithin('<p>x</p>'.repeat(1000), { ...roomy, maxMs: 0 })).toThrow(/the page took longer than 0 ms to read/);
  });
});

describe('loadXmlWithin', () => {
  it('reads XML as cheerio does, and refuses past its limits', () => {
    const xml = '<?xml version="1.0"?><opml><body><outline text="a"/><outline text="b"><outline text="c"/></outline></body></opml>';
    expect(loadXmlWithin(xml, roomy)('outline').length).toBe(3);
    expect(() => loadXmlWithin(`<r>${'<a>'.repeat(100)}</r>`, { ...roomy, maxDepth: 64 }, 'the list')).toThrow(new MarkupLimitError('depth', 'the list nests elements more than 64 levels deep'));
    expect(() => loadXmlWithin(`<r>${'<a/>'.repeat(100)}</r>`, { ...roomy, maxElements: 50 })).toThrow('the document builds more than 50 elements');
  });
});
