import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { maxOpmlChars, OpmlError, parseOpml, renderOpml, renderOpmlParts, type OpmlBlog, type OpmlExport } from '../../src/feeds/opml.ts';
import { feedContentTypes } from '../../src/feeds/types.ts';
import { childrenOf, onlyChild, parseStrictXml } from './strict-xml.ts';

const blogList: OpmlExport = {
  title: 'Palaver – Blogs der Debatte',
  ownerName: 'Palaver',
  dateCreated: '2008-06-07T08:00:00Z',
  blogs: [
    { title: 'Sachar', htmlUrl: 'http://sachar.example/', xmlUrl: 'http://sachar.example/feed/' },
    { title: 'planetsab – „Gedanken“ & Öffentlichkeit', htmlUrl: 'http://planetsab.example/', xmlUrl: 'http://planetsab.example/feed/?a=1&b=2', description: 'Über Social Media, Barcamps und Straßenfeste' },
    { title: 'Freitag', htmlUrl: 'https://freitag.example/', xmlUrl: 'https://freitag.example/feed/atom/', description: null },
  ],
};

function opml(body: string, head = '<head><title>t</title></head>'): string {
  return `<?xml version="1.0" encoding="utf-8"?><opml version="2.0">${head}<body>${body}</body></opml>`;
}

function parseError(text: string, options?: { maxChars?: number }): OpmlError {
  let caught: unknown = null;
  try {
    parseOpml(text, options);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(OpmlError);
  return caught as OpmlError;
}

describe('renderOpml', () => {
  it('writes a well-formed OPML 2.0 document with head and one rss outline per blog', () => {
    const root = parseStrictXml(renderOpml(blogList));
    expect(root.local).toBe('opml');
    expect(root.attributes.version).toBe('2.0');
    const head = onlyChild(root, '', 'head');
    expect(onlyChild(head, '', 'title').text).toBe('Palaver – Blogs der Debatte');
    expect(onlyChild(head, '', 'dateCreated').text).toBe('Sat, 07 Jun 2008 08:00:00 GMT');
    expect(onlyChild(head, '', 'ownerName').text).toBe('Palaver');
    const outlines = childrenOf(onlyChild(root, '', 'body'), '', 'outline');
    expect(outlines.map((o) => o.attributes)).toEqual([
      { type: 'rss', text: 'Sachar', title: 'Sachar', xmlUrl: 'http://sachar.example/feed/', htmlUrl: 'http://sachar.example/' },
      {
        type: 'rss',
        text: 'planetsab – „Gedanken“ & Öffentlichkeit',
        title: 'planetsab – „Gedanken“ & Öffentlichkeit',
        xmlUrl: 'http://planetsab.example/feed/?a=1&b=2',
        htmlUrl: 'http://planetsab.example/',
        description: 'Über Social Media, Barcamps und Straßenfeste',
      },
      { type: 'rss', text: 'Freitag', title: 'Freitag', xmlUrl: 'https://freitag.example/feed/atom/', htmlUrl: 'https://freitag.example/' },
    ]);
  });

  it('round-trips through parseOpml with every title and URL intact', () => {
    const parsed = parseOpml(renderOpml(blogList));
    expect(parsed).toEqual({
      title: 'Palaver – Blogs der Debatte',
      outlines: blogList.blogs.map(({ title, xmlUrl, htmlUrl }) => ({ title, xmlUrl, htmlUrl })),
      errors: [],
      duplicates: [],
    });
  });

  it('writes an empty list and leaves out a missing owner', () => {
    const root = parseStrictXml(renderOpml({ title: 'leer', dateCreated: new Date('2026-01-02T03:04:05Z'), blogs: [] }));
    expect(childrenOf(onlyChild(root, '', 'head'), '', 'ownerName')).toEqual([]);
    expect(childrenOf(onlyChild(root, '', 'body'), '', 'outline')).toEqual([]);
    expect(parseOpml(renderOpml({ title: 'leer', dateCreated: '2026-01-02T03:04:05Z', blogs: [] })).outlines).toEqual([]);
  });

  it('keeps hostile titles as text', () => {
    const title = 'a"b\'c<d>&e ]]> \u0001\uD800';
    const text = renderOpml({ title, dateCreated: '2026-01-01T00:00:00Z', blogs: [{ title, htmlUrl: 'http://x.example/', xmlUrl: 'http://x.example/feed' }] });
    const root = parseStrictXml(text);
    expect(onlyChild(onlyChild(root, '', 'head'), '', 'title').text).toBe('a"b\'c<d>&e ]]> \uFFFD');
    expect(parseOpml(text).outlines[0]!.title).toBe('a"b\'c<d>&e ]]> \uFFFD');
  });

  it('writes the same document from blogs that come in pages (renderOpmlParts), empty pages and an empty list too', async () => {
    async function* pages(list: OpmlBlog[][]) {
      for (const page of list) yield page;
    }
    const joined = async (list: OpmlBlog[][], meta: Omit<OpmlExport, 'blogs'>) => {
      let text = '';
      for await (const part of renderOpmlParts(meta, pages(list))) text += part;
      return text;
    };
    const { blogs, ...meta } = blogList;
    expect(await joined([[blogs[0]!], [], [blogs[1]!, blogs[2]!]], meta)).toBe(renderOpml(blogList));
    expect(await joined([blogs], meta)).toBe(renderOpml(blogList));
    expect(await joined([], meta)).toBe(renderOpml({ ...meta, blogs: [] }));
    expect(await joined([[], []], meta)).toBe(renderOpml({ ...meta, blogs: [] }));
  });

  it('names an OPML content type', () => {
    expect(feedContentTypes.opml).toBe('text/x-opml; charset=utf-8');
  });
});

describe('parseOpml', () => {
  it('flattens a nested list, reads type in any case, and reports bad entries and duplicates', () => {
    const text = readFileSync(new URL('./fixtures/blog-week-nested.opml', import.meta.url), 'utf8');
    const parsed = parseOpml(text);
    expect(parsed.title).toBe('Blogwoche „Social Media“ 2008');
    expect(parsed.outlines).toEqual([
      { title: 'Sachar', xmlUrl: 'http://sachar.example/feed/', htmlUrl: 'http://sachar.example/' },
      { title: 'planetsab', xmlUrl: 'http://planetsab.example/feed/', htmlUrl: 'http://planetsab.example/' },
      { title: 'Freitag', xmlUrl: 'https://freitag.example/feed/atom/', htmlUrl: 'https://freitag.example/' },
      { title: 'Jens Best', xmlUrl: 'http://jensbest.example/feed/', htmlUrl: null },
      { title: 'Blogwoche', xmlUrl: null, htmlUrl: 'http://blogwoche.example/' },
      { title: 'Mitmachweb', xmlUrl: 'http://mitmachweb.example/?feed=rss2&cat=3', htmlUrl: null },
    ]);
    expect(parsed.errors).toEqual([
      '"Ohne Adresse": outline has neither xmlUrl nor htmlUrl',
      '"Podcast-Liste": outline type "include" is not a feed',
      '"Kaputt": xmlUrl "javascript:alert(1)" is not an http(s) URL',
      'outline at line 34: outline has neither xmlUrl nor htmlUrl',
    ]);
    expect(parsed.duplicates).toEqual(['https://www.planetsab.example/feed?utm_source=opml', 'http://blogwoche.example']);
  });

  it('keeps a feed outline whose site URL is bad and says so', () => {
    const parsed = parseOpml(opml('<outline type="rss" text="A" xmlUrl="http://a.example/feed" htmlUrl="ftp://a.example/"/>'));
    expect(parsed.outlines).toEqual([{ title: 'A', xmlUrl: 'http://a.example/feed', htmlUrl: null }]);
    expect(parsed.errors).toEqual(['"A": htmlUrl "ftp://a.example/" is not an http(s) URL']);
  });

  it('titles an outline without text or title by its URL and decodes character references', () => {
    const parsed = parseOpml(opml('<outline type="rss" xmlUrl="http://a.example/feed?x=1&amp;y=&#50;"/><outline type="rss" text="  Caf&#xE9;\n  Blog " xmlUrl="http://b.example/feed"/>'));
    expect(parsed.outlines).toEqual([
      { title: 'http://a.example/feed?x=1&y=2', xmlUrl: 'http://a.example/feed?x=1&y=2', htmlUrl: null },
      { title: 'Café Blog', xmlUrl: 'http://b.example/feed', htmlUrl: null },
    ]);
  });

  it('reads an OPML 1.0 export with a byte order mark and no head', () => {
    const parsed = parseOpml('\uFEFF<?xml version="1.0"?><opml version="1.0"><body><outline type="rss" text="A" xmlUrl="http://a.example/rss"/></body></opml>');
    expect(parsed.title).toBeNull();
    expect(parsed.outlines).toHaveLength(1);
  });

  it('refuses a DOCTYPE, so no entity is ever declared or expanded', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>${opml('<outline type="rss" text="&lol2;" xmlUrl="http://a.example/feed"/>')}`;
    expect(parseError(laughs).message).toBe('opml: documents with a DOCTYPE are refused');
    const external = `<!doctype opml SYSTEM "file:///etc/passwd">${opml('')}`;
    expect(parseError(external).message).toMatch(/DOCTYPE/);
  });

  it('leaves an undeclared entity reference as it is', () => {
    const parsed = parseOpml(opml('<outline type="rss" text="&xxe;" xmlUrl="http://a.example/feed"/>'));
    expect(parsed.outlines[0]!.title).toBe('&xxe;');
  });

  it('refuses a document over the size cap before parsing it', () => {
    expect(maxOpmlChars).toBe(2 * 1024 * 1024);
    const text = opml('<outline type="rss" text="A" xmlUrl="http://a.example/feed"/>'.repeat(20));
    expect(parseError(text, { maxChars: 100 }).message).toBe('opml: the list is larger than 100 characters');
    expect(parseError(' '.repeat(maxOpmlChars + 1)).message).toMatch(/larger than/);
  });

  it('refuses documents that are not OPML', () => {
    expect(parseError('').message).toBe('opml: not an OPML document (no <opml> root)');
    expect(parseError('<rss version="2.0"><channel/></rss>').message).toBe('opml: not an OPML document (no <opml> root)');
    expect(parseError('<html><body><p>hello</p></body></html>').message).toMatch(/no <opml> root/);
    expect(parseError('<opml version="2.0"><head/></opml>').message).toBe('opml: not an OPML document (no <body>)');
  });

  it('walks groups nested up to its depth limit', () => {
    const depth = 250;
    const text = opml(`${'<outline text="g">'.repeat(depth)}<outline type="rss" xmlUrl="http://deep.example/feed"/>${'</outline>'.repeat(depth)}`);
    expect(parseOpml(text).outlines).toEqual([{ title: 'http://deep.example/feed', xmlUrl: 'http://deep.example/feed', htmlUrl: null }]);
  });

  it('refuses a list nested deeper than its limit with a clear error, wherever the nesting is', () => {
    const groups = opml(`${'<outline text="g">'.repeat(20_000)}<outline type="rss" xmlUrl="http://deep.example/feed"/>${'</outline>'.repeat(20_000)}`);
    expect(() => parseOpml(groups)).toThrow(new OpmlError('the list nests elements more than 256 levels deep'));
    // Unclosed elements in the title: reading its text walked them recursively until the stack ran out.
    const title = `<?xml version="1.0"?><opml version="2.0"><head><title>${'<b>'.repeat(20_000)}</title></head><body/></opml>`;
    expect(() => parseOpml(title)).toThrow(OpmlError);
  });
});
