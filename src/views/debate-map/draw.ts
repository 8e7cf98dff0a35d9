// Draws a laid-out debate map as SVG: lanes with their blog's letter and name, a line per day,
// the compressed pauses, arrows in the answering blog's colour, and marks that link to their
// entries with a <title> (author, blog, date, title). Colours come from classes in palaver.css
// (light, dark, print); the presentation attributes beside them are the light colours for a
// viewer without the stylesheet. No script, no style attribute: it stays inside the CSP.
import type { DebateMapEntry } from '../../domain/models.ts';
import { formatDateTime, formatDayMonth, formatLongDate } from '../dates.ts';
import { nameEntry } from '../entry-names.ts';
import { escapeHtml } from '../html.ts';
import { formatNumber, messagesFor, type Locale } from '../i18n.ts';
import { dayLabelOffset, type MapLayout, type MapMark } from './layout.ts';
import type { MapWords } from './words.ts';

// The light palette of palaver.css (--c0 … --c7, --muted), for viewers that ignore the stylesheet.
const fallbackColours = ['#8a3b12', '#1f5f8b', '#2f6b2f', '#7a3e8e', '#8b1e3f', '#0f6b6b', '#6b5a00', '#4a4a8a'];
const fallbackMuted = '#55554f';

export interface DrawOptions {
  locale: Locale;
  timeZone: string;
  words: MapWords;
  /** Where a mark links: `#e-<id>` on the page, or the page that holds the entry. */
  hrefOf: (entryId: number) => string;
  /** A document of its own (map.svg): an XML prolog, the stylesheet by processing instruction, the summary as its description. */
  standalone?: { stylesheet: string; description: string };
  /** Prefix of the ids inside the SVG (arrowheads), unique on the page. */
  idPrefix?: string;
}

// XML 1.0 has no place for most control characters or lone surrogates; an SVG served as a
// document of its own would not parse with one in a title.
// eslint-disable-next-line no-control-regex -- these are the characters XML forbids
const notXml = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function text(value: string): string {
  return escapeHtml(value.replace(notXml, ''));
}

function clip(value: string, max: number): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

const colourClass = (c: number | null) => (c === null ? 'blog-none' : `blog-c${c}`);
const round = (v: number) => Math.round(v * 10) / 10;
const colourValue = (c: number | null) => (c === null ? fallbackMuted : (fallbackColours[c % fallbackColours.length] ?? fallbackMuted));

/** The SVG of a map for a page: the lane labels apart from the plot, which scrolls sideways under them. */
export interface SplitMap {
  lanes: string;
  plot: string;
}

/** Draws a laid-out map as one SVG document (standalone) or element. */
export function drawDebateMap(layout: MapLayout, options: DrawOptions): string {
  const p = drawPieces(layout, options);
  const out: string[] = [];
  if (options.standalone) {
    out.push(`<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet href="${text(options.standalone.stylesheet)}" type="text/css"?>\n`);
  }
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="debate-map-svg${layout.binned ? ' dm-binned' : ''}" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" role="group" aria-label="${text(options.words.mapLabel)}" font-family="system-ui, sans-serif" font-size="11">`);
  if (options.standalone?.description) out.push(`<desc>${text(options.standalone.description)}</desc>`);
  out.push(p.defs, p.background, p.axis, p.arrows, p.lanes.map((l) => `${l.open}${l.head}${l.body}</g>`).join(''), '</svg>');
  return out.join('');
}

/**
 * Draws a laid-out map as two SVG elements side by side: the lane labels (which a narrow screen
 * cuts to the letters) and the plot (a viewBox that starts where the labels end).
 */
export function drawDebateMapSplit(layout: MapLayout, options: DrawOptions): SplitMap {
  const p = drawPieces(layout, options);
  const g = layout.gutter;
  const common = `xmlns="http://www.w3.org/2000/svg" height="${layout.height}" font-family="system-ui, sans-serif" font-size="11"`;
  return {
    lanes: `<svg ${common} class="debate-map-svg dm-labels" width="${g}" viewBox="0 0 ${g} ${layout.height}" preserveAspectRatio="xMinYMin slice" aria-hidden="true"><rect class="dm-bg" width="${g}" height="${layout.height}" fill="#fff"/>${p.lanes.map((l) => `${l.open}${l.head}</g>`).join('')}</svg>`,
    plot: `<svg ${common} class="debate-map-svg dm-plot${layout.binned ? ' dm-binned' : ''}" width="${layout.width - g}" viewBox="${g} 0 ${layout.width - g} ${layout.height}" role="group" aria-label="${text(options.words.mapLabel)}">${p.defs}${p.background}${p.axis}${p.arrows}${p.lanes.map((l) => `${l.open}${l.body}</g>`).join('')}</svg>`,
  };
}

interface Pieces {
  defs: string;
  background: string;
  axis: string;
  arrows: string;
  /** Each lane: its group's opening tag (with its name as <title>), its label, and its line and marks. */
  lanes: { open: string; head: string; body: string }[];
}

function drawPieces(layout: MapLayout, options: DrawOptions): Pieces {
  const w = options.words;
  const t = messagesFor(options.locale);
  const ctx = { locale: options.locale, timeZone: options.timeZone };
  const id = options.idPrefix ?? 'dm';
  const n = (x: number) => formatNumber(x, options.locale);

  const nameOf = (e: DebateMapEntry) => nameEntry(e, layout.about.get(e.id) ?? null, t);
  const titleOf = (e: DebateMapEntry, blogLabel: string) => [e.authorName?.trim() || t.someoneCapital, blogLabel, formatDateTime(e.sortAt, ctx), clip(nameOf(e), 140)].filter(Boolean).join(' · ');

  let out: string[] = [];
  const take = () => {
    const done = out.join('');
    out = [];
    return done;
  };
  // Arrowheads, one per colour in use (a marker cannot take its path's colour everywhere yet).
  const colours = new Set(layout.arrows.map((a) => a.colour));
  out.push('<defs>');
  for (const c of colours) {
    out.push(`<marker id="${id}-h-${c ?? 'n'}" class="${colourClass(c)}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto"><path class="dm-head" d="M0,0L8,4L0,8z" fill="${colourValue(c)}"/></marker>`);
  }
  out.push('</defs>');
  const defs = take();
  const background = `<rect class="dm-bg" width="${layout.width}" height="${layout.height}" fill="#fff"/>`;

  // Days and pauses.
  const top = 26;
  const bottom = layout.footY - 14;
  out.push(`<g class="dm-axis" fill="${fallbackMuted}">`);
  for (const d of layout.days) {
    out.push(`<line class="dm-day" x1="${d.x}" y1="4" x2="${d.x}" y2="${bottom}" stroke="#dedbd2"/>`);
    if (d.labelled) out.push(`<text class="dm-day-label" x="${d.x + dayLabelOffset}" y="15">${text(formatDayMonth(d.at, ctx))}</text>`);
  }
  for (const g of layout.gaps) {
    out.push(
      `<g class="dm-gap"><path d="M${g.x - 5},${top + 4}l6,-8M${g.x},${top + 4}l6,-8M${g.x - 5},${bottom - 2}l6,-8M${g.x},${bottom - 2}l6,-8" stroke="${fallbackMuted}"/><line class="dm-gap-line" x1="${g.x + 0.5}" y1="${top + 4}" x2="${g.x + 0.5}" y2="${bottom - 10}" stroke="${fallbackMuted}" stroke-dasharray="2 3"/><text x="${g.x}" y="${layout.footY}" text-anchor="middle">${text(w.pause(g.days))}</text></g>`,
    );
  }
  out.push('</g>');
  const axis = take();

  // Arrows under the marks, grouped by the answering blog's colour.
  const byColour = new Map<number | null, string[]>();
  for (const a of layout.arrows) {
    const list = byColour.get(a.colour) ?? [];
    list.push(`<path class="dm-arrow dm-${a.kind}" data-from="${a.fromEntryId}" data-to="${a.toEntryId}" d="${a.path}" marker-end="url(#${id}-h-${a.colour ?? 'n'})"/>`);
    byColour.set(a.colour, list);
  }
  // A crowded debate's answers recede behind its marks (palaver.css says the same for pages).
  out.push(`<g class="dm-arrows" fill="none"${layout.binned ? ' stroke-opacity=".4"' : ''}>`);
  for (const [c, paths] of byColour) out.push(`<g class="${colourClass(c)}" stroke="${colourValue(c)}">${paths.join('')}</g>`);
  out.push('</g>');
  const arrows = take();

  // Lanes, each with its marks.
  const marksOf = new Map<number, MapMark[]>();
  for (const m of layout.marks) marksOf.set(m.lane, [...(marksOf.get(m.lane) ?? []), m]);
  const lanes = layout.lanes.map((lane, index) => {
    const fill = colourValue(lane.colour);
    const open = `<g class="dm-lane ${colourClass(lane.colour)}" data-lane="${text(lane.key)}" fill="${fill}"><title>${text(lane.name)}</title>`;
    const head = `<circle class="dm-lane-mark" cx="16" cy="${lane.y}" r="9"/><text class="dm-lane-letter" x="16" y="${lane.y + 4}" text-anchor="middle" font-weight="700" fill="#fff">${text(lane.letter)}</text><text class="dm-lane-name" x="30" y="${lane.y + 4}" fill="#1d1d1b">${text(clip(lane.name, 15))}</text>`;
    const line = `<line class="dm-lane-line" x1="${layout.plotLeft - 6}" y1="${lane.y}" x2="${layout.width - 4}" y2="${lane.y}" stroke="${fill}" stroke-opacity=".3" stroke-width="2"/>`;
    return { open, head, body: line + (marksOf.get(index) ?? []).map((m) => drawMark(m, lane.colour, lane.name)).join('') };
  });
  return { defs, background, axis, arrows, lanes };

  function drawMark(m: MapMark, laneColour: number | null, laneName: string): string {
    const first = m.entries[0]!;
    const classes = ['dm-mark', `dm-${m.shape}`];
    // In the shared lane of a crowded debate each mark keeps its own blog's colour.
    const ownColour = laneColour === null && m.colour !== null;
    if (ownColour) classes.push(colourClass(m.colour));
    if (m.entries.every((e) => e.tombstoned)) classes.push('dm-gone');
    const paint = ownColour ? ` fill="${colourValue(m.colour)}"` : '';
    const href = text(options.hrefOf(first.id));
    const blogLabel = first.blog ? (ownColour ? (first.blog.title ?? first.blog.homeUrl) : laneName) : w.otherSites;
    const { x, y } = m;
    if (m.shape === 'bin') {
      const allComments = m.entries.every((e) => e.kind === 'comment');
      const count = `${n(m.entries.length)} ${allComments ? w.commentsNoun(m.entries.length) : w.entriesNoun(m.entries.length)}`;
      const day = formatLongDate(new Date(first.sortAt), ctx);
      const what = m.bin?.about ? w.binOn(count, `“${clip(nameOf(m.bin.about), 80)}”`, day) : w.binOfDay(count, day);
      return `<a href="${href}" class="${classes.join(' ')}" data-entries="${m.entries.map((e) => e.id).join(' ')}" data-count="${m.entries.length}"${paint}><title>${text(`${what} · ${blogLabel}`)}</title><rect x="${round(x - m.half)}" y="${y - 9}" width="${round(m.half * 2)}" height="18" rx="9"/><text x="${x}" y="${y + 4}" text-anchor="middle" font-weight="700" fill="#fff">${n(m.entries.length)}</text></a>`;
    }
    const open = `<a href="${href}" class="${classes.join(' ')}" data-entry="${first.id}"${paint}><title>${text(titleOf(first, blogLabel))}</title>`;
    if (m.shape === 'post') return `${open}<circle cx="${x}" cy="${y}" r="${m.half}"/><text x="${x}" y="${y + 4}" text-anchor="middle" font-weight="700" fill="#fff">${text(m.letter)}</text></a>`;
    if (m.shape === 'comment') return `${open}<circle cx="${x}" cy="${y}" r="${m.half}"/></a>`;
    const r = m.half;
    return `${open}<path d="M${x},${y - r}l${r},${r}l${-r},${r}l${-r},${-r}z" fill="#fff" stroke="${colourValue(m.colour ?? laneColour)}" stroke-width="2"/></a>`;
  }
}
