import { describe, expect, it } from 'vitest';
import {
  categoryScheme,
  cleanText,
  escapeXmlAttr,
  escapeXmlText,
  extensionDocUrl,
  formatIsoDate,
  formatRfc822Date,
  languageTag,
  renderElement,
  textToHtml,
} from '../../src/feeds/feed-text.ts';
import { parseStrictXml } from './strict-xml.ts';

describe('cleanText', () => {
  it('replaces lone surrogates with U+FFFD and keeps pairs', () => {
    expect(cleanText('a\uD83Db\uDE00c\uD83D\uDE00')).toBe('a\uFFFDb\uFFFDc\uD83D\uDE00');
  });

  it('removes the characters XML 1.0 forbids and keeps tab, LF, CR and C1', () => {
    expect(cleanText('\u0000\u0008\t\n\u000B\u000C\r\u000E\u001F\u007F\u0085\uFFFE\uFFFF ok')).toBe('\t\n\r\u007F\u0085 ok');
  });
});

describe('escapeXmlText and escapeXmlAttr', () => {
  it('escape markup so that ]]> cannot appear', () => {
    expect(escapeXmlText('a]]>b<c&d')).toBe('a]]&gt;b&lt;c&amp;d');
    expect(escapeXmlText(']]>')).not.toContain(']]>');
  });

  it('escape quotes and whitespace that attribute normalisation would lose', () => {
    expect(escapeXmlAttr(`"'\t\n\r`)).toBe('&quot;&apos;&#x9;&#xA;&#xD;');
    const root = parseStrictXml(renderElement('x', { v: 'a\tb\nc\r\nd "e"' }));
    expect(root.attributes.v).toBe('a\tb\nc\r\nd "e"');
  });

  it('are what keeps the strict checker from refusing a document', () => {
    expect(() => parseStrictXml('<x>\u0001</x>')).toThrow(/disallowed character|invalid/i);
    expect(() => parseStrictXml('<x>a]]>b</x>')).toThrow();
    expect(() => parseStrictXml('<x>\uD800</x>')).toThrow();
    expect(parseStrictXml(`<x>${escapeXmlText('\u0001a]]>b\uD800')}</x>`).text).toBe('a]]>b\uFFFD');
  });
});

describe('textToHtml', () => {
  it('escapes plain text for an HTML context', () => {
    expect(textToHtml('<b>"x" & y</b>')).toBe('&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;');
  });
});

describe('dates', () => {
  it('formats ISO 8601 input as RFC 3339 and RFC 822 in UTC', () => {
    expect(formatIsoDate('2008-06-03T12:00:00+02:00')).toBe('2008-06-03T10:00:00.000Z');
    expect(formatRfc822Date('2008-06-03T12:00:00+02:00')).toBe('Tue, 03 Jun 2008 10:00:00 GMT');
  });

  it('throws on a date that does not parse', () => {
    expect(() => formatIsoDate('')).toThrow(RangeError);
    expect(() => formatRfc822Date('31.12.2008')).toThrow(/feeds: invalid date/);
  });
});

describe('languageTag', () => {
  it('keeps BCP 47 shaped tags and drops anything else', () => {
    expect(['de', 'de-DE', ' en-GB ', 'zh-Hant-TW'].map(languageTag)).toEqual(['de', 'de-DE', 'en-GB', 'zh-Hant-TW']);
    expect(['', 'de_DE', 'de"><x', 'deutsch sprache', null, undefined].map(languageTag)).toEqual([null, null, null, null, null, null]);
  });
});

describe('extensionDocUrl and categoryScheme', () => {
  it('hang under the public base URL, with or without a trailing slash or path', () => {
    expect(extensionDocUrl({ baseUrl: 'https://palaver.example/' })).toBe('https://palaver.example/docs/json-feed-extension');
    expect(categoryScheme({ baseUrl: 'https://example.org/palaver' }, 'via')).toBe('https://example.org/palaver/docs/json-feed-extension#via');
  });
});
