// The debate map from a read model alone: a 500-entry debate stays within its size budget and
// binned, circles of answers end, hostile names stay text, day labels stay inside the map, and
// the summary and sparkline speak German and English.
import { describe, expect, it } from 'vitest';
import type { DebateMapData, DebateMapEdge, DebateMapEntry } from '../../../src/domain/models.ts';
import { assignBlogMarks } from '../../../src/views/blog-marks.ts';
import { debateMapSummary, layOutDebateMap, layOutDebateMapInParts, renderDebateMapFigure, renderDebateMapSvg } from '../../../src/views/debate-map/figure.ts';
import { renderActivitySparkline } from '../../../src/views/debate-map/sparkline.ts';
import { parseStrictXml, type XmlNode } from '../../feeds/strict-xml.ts';

function all(node: XmlNode, test: (n: XmlNode) => boolean, out: XmlNode[] = []): XmlNode[] {
  if (test(node)) out.push(node);
  for (const c of node.children) all(c, test, out);
  return out;
}
const hasClass = (name: string) => (n: XmlNode) => (n.attributes.class ?? '').split(' ').includes(name);

const blog = (id: number, title: string) => ({ id, title, homeUrl: `https://b${id}.example/` });

/** A debate of `size` entries over 14 blogs and a few days: posts every so often, comments on them, answers across blogs. */
function bigDebate(size: number): DebateMapData {
  const entries: DebateMapEntry[] = [];
  const edges: DebateMapEdge[] = [];
  const start = Date.parse('2008-11-12T08:00:00Z');
  let lastPost = 1;
  for (let i = 1; i <= size; i++) {
    const isPost = i === 1 || i % 25 === 0;
    const b = blog(1 + (isPost ? i % 14 : lastPost % 14), `Blog ${isPost ? i % 14 : lastPost % 14}`);
    entries.push({ id: i, kind: isPost ? 'post' : i % 17 === 0 ? 'pingback' : 'comment', blog: i % 41 === 0 ? null : b, authorName: `Author ${i}`, title: isPost ? `Post ${i}` : null, sortAt: new Date(start + i * 25 * 60_000 + (i > 250 ? 3 * 86_400_000 : 0)).toISOString(), tombstoned: false });
    if (i > 1) edges.push({ fromId: i, toId: isPost ? lastPost : lastPost, type: isPost ? 'links-to' : 'comment-of' });
    if (isPost) lastPost = i;
  }
  return { conversationId: 1, entries, edges };
}

function view(data: DebateMapData, locale: 'en' | 'de' = 'en') {
  return { data, marks: assignBlogMarks(data.entries), locale, timeZone: 'Europe/Berlin', hrefOf: (id: number) => `/c/1#e-${id}` };
}

describe('the map of a 500-entry debate', () => {
  it('stays under 150 KB, bins comments with counts, and parses', () => {
    const data = bigDebate(500);
    const svg = renderDebateMapSvg(view(data), '/assets/palaver.css');
    expect(Buffer.byteLength(svg)).toBeLessThan(150 * 1024);
    const root = parseStrictXml(svg);
    const marks = all(root, hasClass('dm-mark'));
    const bins = all(root, hasClass('dm-bin'));
    expect(bins.length).toBeGreaterThan(0);
    expect(marks.length).toBeLessThan(200);
    // Every entry is behind exactly one mark.
    const covered = marks.flatMap((m) => (m.attributes['data-entries'] ?? m.attributes['data-entry']!).split(' ').map(Number));
    expect(covered.sort((a, b) => a - b)).toEqual(data.entries.map((e) => e.id));
    const counted = bins.reduce((n, b) => n + Number(b.attributes['data-count']), 0) + marks.length - bins.length;
    expect(counted).toBe(500);
    // At most 11 blog lanes, then a shared one, and one for sites Palaver does not follow.
    const lanes = all(root, hasClass('dm-lane')).map((l) => l.attributes['data-lane']);
    expect(lanes).toContain('more');
    expect(lanes.at(-1)).toBe('sites');
    expect(lanes.length).toBe(13);
  });
});

describe('the map of any debate', () => {
  it('draws two entries', () => {
    const data: DebateMapData = {
      conversationId: 1,
      entries: [
        { id: 1, kind: 'post', blog: blog(1, 'A'), authorName: 'Ann', title: 'Hello', sortAt: '2008-11-12T08:00:00Z', tombstoned: false },
        { id: 2, kind: 'post', blog: blog(2, 'B'), authorName: 'Ben', title: 'Re: Hello', sortAt: '2008-11-12T10:00:00Z', tombstoned: false },
      ],
      edges: [{ fromId: 2, toId: 1, type: 'reply-to' }],
    };
    const root = parseStrictXml(renderDebateMapSvg(view(data), '/assets/palaver.css'));
    expect(all(root, hasClass('dm-mark')).length).toBe(2);
    expect(all(root, hasClass('dm-arrow')).map((a) => `${a.attributes['data-from']}>${a.attributes['data-to']}`)).toEqual(['2>1']);
    expect(debateMapSummary(view(data))).toBe('2 blogs, 2 entries, November 12, 2008; B answered a post on A the same day.');
  });

  it('ends on circles of answers and draws each edge of the circle', () => {
    const entries: DebateMapEntry[] = [1, 2, 3].map((id) => ({ id, kind: 'comment', blog: blog(id, `B${id}`), authorName: null, title: null, sortAt: `2008-11-1${id}T08:00:00Z`, tombstoned: false }));
    const edges: DebateMapEdge[] = [
      { fromId: 1, toId: 2, type: 'reply-to' },
      { fromId: 2, toId: 3, type: 'reply-to' },
      { fromId: 3, toId: 1, type: 'reply-to' },
    ];
    const data = { conversationId: 1, entries, edges };
    const root = parseStrictXml(renderDebateMapSvg(view(data), '/assets/palaver.css'));
    expect(all(root, hasClass('dm-arrow')).length).toBe(3);
    // A circle as large as a binned debate ends too.
    const big = bigDebate(300);
    big.edges.push({ fromId: 1, toId: 300, type: 'reply-to' });
    expect(() => parseStrictXml(renderDebateMapSvg(view(big), '/assets/palaver.css'))).not.toThrow();
  });

  it('keeps hostile names and titles as text, without characters XML forbids', () => {
    const evil = '<script>alert(1)</script>\u0001\u0007"&\uD800';
    const data: DebateMapData = {
      conversationId: 1,
      entries: [{ id: 1, kind: 'post', blog: { id: 1, title: evil, homeUrl: 'https://x.example/' }, authorName: evil, title: evil, sortAt: '2008-11-12T08:00:00Z', tombstoned: false }],
      edges: [],
    };
    const svg = renderDebateMapSvg(view(data), '/assets/palaver.css');
    expect(svg).not.toContain('<script');
    const root = parseStrictXml(svg);
    expect(all(root, (n) => n.local === 'title').some((t) => t.text.includes('<script>alert(1)</script>"&'))).toBe(true);
    const figure = renderDebateMapFigure({ ...view(data), svgHref: '/c/1/map.svg' }).value;
    expect(figure).not.toContain('<script');
  });

  it('writes the summary in German', () => {
    const data = bigDebate(30);
    expect(debateMapSummary(view(data, 'de'))).toMatch(/^\d+ Blogs?, 30 Einträge, 12\. November 2008/);
  });
});

describe('the day labels of a map', () => {
  // The widest day label, "10. Sept.", is 49.5 px at the map's 11 px in DejaVu Sans (Chromium's
  // getComputedTextLength), a wide system-ui font; English labels are narrower.
  const labelWidth = 50;

  /** The viewBox's left and right and the day labels of an SVG element (the page's plot or map.svg). */
  function dayLabels(svg: string) {
    const root = parseStrictXml(svg);
    const [left, , width] = root.attributes.viewBox!.split(' ').map(Number);
    const labels = all(root, hasClass('dm-day-label')).map((t) => {
      const x = Number(t.attributes.x);
      const anchor = t.attributes['text-anchor'] ?? 'start';
      const start = anchor === 'end' ? x - labelWidth : anchor === 'middle' ? x - labelWidth / 2 : x;
      return { text: t.text, start, end: start + labelWidth };
    });
    return { left: left!, right: left! + width!, labels };
  }

  /** The map both ways: the plot of the page (beside its lane labels) and the SVG document. */
  function drawnBothWays(data: DebateMapData, locale: 'en' | 'de') {
    const figure = renderDebateMapFigure({ ...view(data, locale), svgHref: '/c/1/map.svg' }).value;
    const plot = /<svg [^>]*class="debate-map-svg dm-plot[\s\S]*?<\/svg>/.exec(figure)![0];
    return [dayLabels(plot), dayLabels(renderDebateMapSvg(view(data, locale), '/assets/palaver.css'))];
  }

  const entry = (id: number, kind: DebateMapEntry['kind'], sortAt: string): DebateMapEntry => ({ id, kind, blog: blog(1, 'Sachar'), authorName: 'Sachar', title: kind === 'post' ? 'Camp' : null, sortAt, tombstoned: false });
  const debates: [string, DebateMapData, Record<'de' | 'en', string[]>][] = [
    [
      'a post and a comment the next morning',
      { conversationId: 1, entries: [entry(1, 'post', '2008-09-24T18:00:00Z'), entry(2, 'comment', '2008-09-25T07:00:00Z')], edges: [{ fromId: 2, toId: 1, type: 'comment-of' }] },
      { de: ['24. Sept.', '25. Sept.'], en: ['Sep 24', 'Sep 25'] },
    ],
    ['one post', { conversationId: 1, entries: [entry(1, 'post', '2008-09-10T18:00:00Z')], edges: [] }, { de: ['10. Sept.'], en: ['Sep 10'] }],
  ];

  for (const [name, data, expected] of debates) {
    for (const locale of ['de', 'en'] as const) {
      it(`keeps each label inside the map: ${name} (${locale})`, () => {
        for (const { left, right, labels } of drawnBothWays(data, locale)) {
          expect(labels.map((l) => l.text)).toEqual(expected[locale]);
          for (const l of labels) {
            expect(l.start).toBeGreaterThanOrEqual(left);
            expect(l.end).toBeLessThanOrEqual(right);
          }
        }
      });
    }
  }

  it('keeps the first and last labels of a debate over many days inside the map, leaving out the crowded ones', () => {
    // Six weeks from the start of September, a comment each day and a post each week.
    const entries = Array.from({ length: 42 }, (_, i) => entry(i + 1, i % 7 === 0 ? 'post' : 'comment', new Date(Date.parse('2008-09-01T09:00:00Z') + i * 86_400_000 + (i % 3) * 3600_000).toISOString()));
    const data: DebateMapData = { conversationId: 1, entries, edges: entries.slice(1).map((e) => ({ fromId: e.id, toId: 1 + 7 * Math.floor((e.id - 1) / 7), type: 'comment-of' as const })).filter((e) => e.fromId !== e.toId) };
    for (const locale of ['de', 'en'] as const) {
      for (const { left, right, labels } of drawnBothWays(data, locale)) {
        // Days a pause apart can be closer than a label is wide: some go without one.
        expect(labels.length).toBeGreaterThan(10);
        expect(labels.length).toBeLessThan(42);
        expect(labels[0]!.text).toBe(locale === 'de' ? '1. Sept.' : 'Sep 1');
        expect(labels[0]!.start).toBeGreaterThanOrEqual(left);
        expect(labels.at(-1)!.end).toBeLessThanOrEqual(right);
        labels.slice(1).forEach((l, i) => expect(l.start).toBeGreaterThanOrEqual(labels[i]!.end));
      }
    }
  });
});

describe('the small map of the home page', () => {
  it('draws a bar per day and the blogs’ letters, with a text name', () => {
    const spark = renderActivitySparkline({ days: [{ day: '2008-11-12', count: 2 }, { day: '2008-11-14', count: 5 }], blogs: [blog(1, 'Sachar'), blog(2, 'planetsab')] }, 'en').value;
    expect(spark).toContain('aria-label="Activity: 7 entries on 2 days"');
    expect(spark.match(/<rect /g)).toHaveLength(2);
    expect(spark).toContain('>S</span>');
    expect(spark).toContain('>P</span>');
    expect(renderActivitySparkline({ days: [{ day: '2008-11-12', count: 2 }], blogs: [] }, 'de').value).toContain('Verlauf: 2 Einträge an 1 Tag');
  });
});

describe('layOutDebateMapInParts', () => {
  it('lays out what layOutDebateMap does, with the pause between its parts', async () => {
    for (const size of [30, 500]) {
      const v = view(bigDebate(size), 'de');
      let pauses = 0;
      const parts = await layOutDebateMapInParts(v, async () => void (pauses += 1));
      // After what each entry is about, after the summary, and between the layout's three steps.
      expect(pauses).toBe(4);
      const whole = layOutDebateMap(view(bigDebate(size), 'de'));
      // What each entry is about is looked up, not listed: compared entry by entry.
      const ids = [...bigDebate(size).entries.map((e) => e.id), 0];
      expect(ids.map((id) => parts.layout.about.get(id)?.id)).toEqual(ids.map((id) => whole.layout.about.get(id)?.id));
      expect({ ...parts, layout: { ...parts.layout, about: null } }).toEqual({ ...whole, layout: { ...whole.layout, about: null } });
    }
  });
});
