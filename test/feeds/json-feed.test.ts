import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { jsonFeedVersion, renderJsonFeed } from '../../src/feeds/json-feed.ts';
import { tombstoneNote } from '../../src/feeds/tombstone.ts';
import { feedContentTypes } from '../../src/feeds/types.ts';
import { parseFeed } from '../../src/reader/parse-feed.ts';
import { hostileCases } from './hostile.ts';
import { buildFeed, buildItem, sampleItems } from './sample-feed.ts';

// ajv-formats is CommonJS with a default export that NodeNext types as the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const schema = JSON.parse(readFileSync(new URL('./json-feed-1.1.schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, allowMatchingProperties: true });
addFormats(ajv);
const validate = ajv.compile(schema);

interface JsonItem {
  id: string;
  url?: string;
  title?: string;
  content_html?: string;
  content_text?: string;
  summary?: string;
  date_published?: string;
  date_modified?: string;
  authors?: { name?: string; url?: string }[];
  language?: string;
  tags?: string[];
  _palaver: Record<string, unknown>;
}

interface JsonDocument {
  version: string;
  title: string;
  home_page_url: string;
  feed_url: string;
  description?: string;
  language?: string;
  hubs?: { type: string; url: string }[];
  _palaver: Record<string, unknown>;
  items: JsonItem[];
}

function renderParsed(overrides: Parameters<typeof buildFeed>[1] = {}): JsonDocument {
  return JSON.parse(renderJsonFeed(buildFeed('json', overrides))) as JsonDocument;
}

function errorsOf(document: unknown): string {
  return validate(document) ? '' : ajv.errorsText(validate.errors);
}

describe('renderJsonFeed', () => {
  it('writes a feed valid to the JSON Feed 1.1 schema, extension included', () => {
    expect(errorsOf(renderParsed())).toBe('');
  });

  it('has a schema that refuses what the spec refuses', () => {
    const document = renderParsed();
    expect(errorsOf({ ...document, version: 'https://jsonfeed.org/version/1' })).not.toBe('');
    expect(errorsOf({ ...document, items: [{ id: 'x', title: 'no content' }] })).not.toBe('');
    expect(errorsOf({ ...document, date_publish: 'typo' })).not.toBe('');
    expect(errorsOf({ ...document, items: [{ ...document.items[0]!, date_published: 'gestern' }] })).not.toBe('');
  });

  it('writes the feed fields and a WebSub hub', () => {
    const document = renderParsed();
    expect(document.version).toBe(jsonFeedVersion);
    expect(document.title).toBe('Social Media Camp – ein kleiner Exkurs');
    expect(document.home_page_url).toBe('https://palaver.example/c/12');
    expect(document.feed_url).toBe('https://palaver.example/c/12/feed.json');
    expect(document.description).toBe('Eine Debatte über drei Blogs');
    expect(document.language).toBe('de');
    expect(document.hubs).toEqual([{ type: 'WebSub', url: 'https://palaver.example/websub' }]);
    expect(document._palaver).toEqual({
      about: 'https://palaver.example/docs/json-feed-extension',
      generator: { name: 'Palaver', uri: 'https://palaver.example', version: '0.1.0' },
      updated: '2008-06-07T08:00:00.000Z',
    });
  });

  it('keeps every id, title, url and date of the items, in order', () => {
    const { items } = renderParsed();
    expect(items.map((i) => i.id)).toEqual(sampleItems.map((i) => i.id));
    expect(items.map((i) => i.title)).toEqual(sampleItems.map((i) => (i.tombstone ? `[removed] ${i.title}` : i.title)));
    expect(items.map((i) => i.url)).toEqual(sampleItems.map((i) => i.url ?? i.conversation.url));
    expect(items.map((i) => i.date_published)).toEqual(sampleItems.map((i) => new Date(i.publishedAt).toISOString()));
    expect(items.map((i) => i.date_modified)).toEqual(sampleItems.map((i) => new Date(i.updatedAt).toISOString()));
  });

  it('carries threading, conversation, kind and channels in the _palaver extension', () => {
    const { items } = renderParsed();
    expect(items[6]!._palaver).toEqual({
      about: 'https://palaver.example/docs/json-feed-extension',
      kind: 'post',
      via: ['feed'],
      in_reply_to: { id: 'tag:palaver.example,2026:entry/1', url: 'http://sachar.example/2008/06/social-media-camp/' },
      conversation: { id: '12', url: 'https://palaver.example/c/12' },
      replies: {
        url: 'http://planetsab.example/2008/06/social-media-camp-ein-kleiner-exkurs/#comments',
        feed_url: 'http://planetsab.example/2008/06/social-media-camp-ein-kleiner-exkurs/feed/atom/',
        count: 4,
      },
      source: { title: 'planetsab', url: 'http://planetsab.example/', feed_url: 'http://planetsab.example/feed/' },
      tombstone: false,
    });
    expect(items[7]!._palaver.in_reply_to).toBeNull();
    expect(items[3]!.tags).toEqual(['post', 'feed', 'pingback']);
    expect(items[2]!.tags).toEqual(['trackback']);
  });

  it('writes authors, language and content, crediting a ping without an author name to its blog', () => {
    const { items } = renderParsed();
    expect(items[5]!.authors).toEqual([{ name: 'Jens Best', url: 'http://jensbest.example/' }]);
    expect(items[2]!.authors).toEqual([{ name: 'Blogwoche', url: 'http://blogwoche.example/' }]);
    expect(items[5]!.language).toBe('de');
    expect(items[5]!.content_html).toBe('<p>Öffentliche Räume für Debatten – „Barcamp“ oder nicht, das ist hier die Frage.</p>');
    expect(items[0]!.content_html).toBeUndefined();
    expect(items[0]!.content_text).toBe('Ein Eintrag, dessen Feed weder guid noch link hatte.');
  });

  it('falls back to the title as content_text when an item has neither content nor summary', () => {
    const document = renderParsed({ items: [buildItem({ id: 'bare', title: 'Nur ein Titel' })] });
    expect(document.items[0]!.content_text).toBe('Nur ein Titel');
    expect(document.items[0]!.authors).toBeUndefined();
    expect(errorsOf(document)).toBe('');
  });

  it('replaces a tombstone\'s words with the note and says so in the extension', () => {
    const text = renderJsonFeed(buildFeed('json'));
    const tombstone = (JSON.parse(text) as JsonDocument).items[1]!;
    expect(tombstone.title).toBe("[removed] Sachar on 'Gestrichen'");
    expect(tombstone.content_html).toBe(`<p>${tombstoneNote}</p>`);
    expect(tombstone.summary).toBe(tombstoneNote);
    expect(tombstone._palaver.tombstone).toBe(true);
    expect(text).not.toContain('Words the author took down');
  });

  it('round-trips through Palaver\'s own reader with ids, titles, links, authors and dates intact', async () => {
    const parsed = await parseFeed(renderJsonFeed(buildFeed('json')), 'https://palaver.example/c/12/feed.json');
    expect(parsed.format).toBe('json');
    expect(parsed.title).toBe('Social Media Camp – ein kleiner Exkurs');
    expect(parsed.items.map((i) => i.guid)).toEqual(sampleItems.map((i) => i.id));
    expect(parsed.items.map((i) => i.url)).toEqual(sampleItems.map((i) => i.url ?? i.conversation.url));
    expect(parsed.items.map((i) => i.publishedAt)).toEqual(sampleItems.map((i) => new Date(i.publishedAt).toISOString()));
    expect(parsed.items[5]!.authorName).toBe('Jens Best');
  });

  it('leaves out hubs, description and language when there are none', () => {
    const document = renderParsed({ hubUrl: null, subtitle: null, lang: null, items: [] });
    expect(Object.keys(document)).toEqual(['version', 'title', 'home_page_url', 'feed_url', '_palaver', 'items']);
    expect(errorsOf(document)).toBe('');
  });

  it('is served as application/feed+json in UTF-8', () => {
    expect(feedContentTypes.json).toBe('application/feed+json; charset=utf-8');
  });

  describe('with hostile text', () => {
    for (const { name, input, expected } of hostileCases) {
      it(`keeps ${name} as text a strict decoder accepts`, () => {
        const item = buildItem({ id: input, title: input, contentHtml: input, summaryText: input, authorName: input });
        const text = renderJsonFeed(buildFeed('json', { title: input, items: [item] }));
        // JSON.stringify escapes only lone surrogates as \udXXX; none may be left.
        expect(text).not.toMatch(/\\ud[89a-f][0-9a-f]{2}/i);
        expect(new TextDecoder('utf-8', { fatal: true }).decode(new TextEncoder().encode(text))).toBe(text);
        const document = JSON.parse(text) as JsonDocument;
        expect(document.title).toBe(expected);
        expect(document.items[0]!.id).toBe(expected);
        expect(document.items[0]!.title).toBe(expected);
        expect(document.items[0]!.content_html).toBe(expected);
        expect(document.items[0]!.summary).toBe(expected);
        expect(errorsOf(document)).toBe('');
      });
    }
  });
});
