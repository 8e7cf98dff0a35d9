// Lays out a debate map: one lane per blog, time running left to right with long pauses
// compressed, a mark per entry (or per bin of comments once a debate is large), an arrow per
// answer between marks. Pure geometry from the read model; words and SVG are draw.ts's.
import type { DebateMapData, DebateMapEdge, DebateMapEntry } from '../../domain/models.ts';
import type { BlogMark } from '../blog-marks.ts';
import { dayKey } from '../dates.ts';
import { entryDays } from './entry-times.ts';
import { postsOfData, type EntryLookup } from './posts-of.ts';

export type MarkShape = 'post' | 'comment' | 'linkback' | 'bin';
export type ArrowKind = 'reply' | 'ping' | 'link';

export interface MapLane {
  /** 'blog:<id>', 'more' (the least active blogs of a crowded debate) or 'sites' (pings of unfollowed sites). */
  key: string;
  blogId: number | null;
  /** The blog's colour index; null for the lanes without one blog. */
  colour: number | null;
  letter: string;
  name: string;
  /** Blogs sharing the lane (the 'more' lane). */
  blogCount: number;
  y: number;
}

export interface MapMark {
  /** The entries it stands for, in time order: one, or a bin's. */
  entries: DebateMapEntry[];
  shape: MarkShape;
  lane: number;
  x: number;
  y: number;
  /** Half its width, for spacing and where arrows meet it. */
  half: number;
  /** Its blog's colour and letter (a shared lane's marks keep their own); null and '↗' for unfollowed sites. */
  colour: number | null;
  letter: string;
  /** What a bin gathers: the post its comments are on (null: entries of a day), and the day. */
  bin: { about: DebateMapEntry | null; day: string } | null;
}

export interface MapArrow {
  /** Marks (indexes into marks) of the answering and the answered entry. */
  from: number;
  to: number;
  /** The entries the arrow joins (for single marks exactly the edge's; for bins the first edge seen). */
  fromEntryId: number;
  toEntryId: number;
  kind: ArrowKind;
  /** The answering mark's colour (null: no blog colour). */
  colour: number | null;
  path: string;
}

export interface MapDay {
  x: number;
  /** An instant of that day (the first entry of it). */
  at: Date;
  /** Whether there is room for its label. */
  labelled: boolean;
}

export interface MapGap {
  x: number;
  /** Whole days the debate paused. */
  days: number;
}

export interface MapLayout {
  width: number;
  height: number;
  lanes: MapLane[];
  marks: MapMark[];
  arrows: MapArrow[];
  days: MapDay[];
  gaps: MapGap[];
  /** Whether comments (and, in a very large debate, all entries) were gathered into bins. */
  binned: boolean;
  /** The left edge of the plot: lane labels sit left of it. */
  plotLeft: number;
  /** The width of the lane labels' column (a page draws it apart, so it stays while the plot scrolls). */
  gutter: number;
  /** What each entry is about, for naming it: a comment's post (else its parent), anything else's parent. */
  about: EntryLookup;
  /** Where the bottom row (the pauses' labels) sits. */
  footY: number;
}

export interface LayoutOptions {
  timeZone: string;
  /** Blog colours and letters, as the conversation's page gives them. */
  marks: Map<number, BlogMark>;
  /** Names of the lanes that are not one blog's. */
  names: { more: (blogs: number) => string; sites: string };
}

// Beyond this many entries, comments and pings are gathered per lane, post and day.
export const binAboveEntries = 80;
// Beyond this many marks after that, every entry is gathered per lane and day.
const binAllAboveMarks = 160;
// More blogs than this share the last lane (the least active ones).
const maxBlogLanes = 11;
// A pause of this long is drawn as a fixed gap, marked with its days.
const gapMs = 24 * 3600_000;
const gapWidth = 44;
const laneHeight = 44;
const axisHeight = 26;
const gutter = 124;
const pad = 14;
// Where the plot begins, right of the lanes' names.
const plotLeft = gutter + pad;
const minGap = 3;
/** How far right of its day's line a day's label starts. */
export const dayLabelOffset = 3;
// The room a day's label takes from its line: the offset and the widest label ("10. Sept." is
// 49.5 px at 11 px in DejaVu Sans, a wide system-ui font). A day closer than this to the last
// labelled one goes without, and the map reaches this far past the last labelled day, and a
// little further so the label does not touch the edge.
const dayLabelRoom = dayLabelOffset + 51;
const dayLabelEndPad = 4;

const half: Record<MarkShape, number> = { post: 11, comment: 4.5, linkback: 6.5, bin: 0 };

function shapeOf(e: DebateMapEntry): MarkShape {
  if (e.kind === 'post') return 'post';
  return e.kind === 'comment' ? 'comment' : 'linkback';
}

function arrowKind(type: DebateMapEdge['type']): ArrowKind {
  if (type === 'linkback') return 'ping';
  return type === 'links-to' ? 'link' : 'reply';
}

function timeOf(e: DebateMapEntry): number {
  const t = Date.parse(e.sortAt);
  return Number.isNaN(t) ? NaN : t;
}

const round = (n: number) => Math.round(n * 10) / 10;

function assignLanes(entries: DebateMapEntry[], options: LayoutOptions): { lanes: MapLane[]; laneOf: (e: DebateMapEntry) => number } {
  const blogs = [...options.marks.values()];
  const kept = new Set(blogs.length > maxBlogLanes + 1 ? [...blogs].sort((a, b) => b.entries - a.entries || a.colour - b.colour).slice(0, maxBlogLanes).map((b) => b.id) : blogs.map((b) => b.id));
  const lanes: MapLane[] = [];
  const index = new Map<string, number>();
  const add = (lane: Omit<MapLane, 'y'>) => {
    index.set(lane.key, lanes.length);
    lanes.push({ ...lane, y: 0 });
  };
  for (const b of blogs) if (kept.has(b.id)) add({ key: `blog:${b.id}`, blogId: b.id, colour: b.colour, letter: b.letter, name: b.name, blogCount: 1 });
  const rest = blogs.length - kept.size;
  if (rest > 0) add({ key: 'more', blogId: null, colour: null, letter: '+', name: options.names.more(rest), blogCount: rest });
  if (entries.some((e) => e.blog === null)) add({ key: 'sites', blogId: null, colour: null, letter: '↗', name: options.names.sites, blogCount: 0 });
  lanes.forEach((l, i) => (l.y = axisHeight + laneHeight * i + laneHeight / 2));
  const byBlog = new Map<number, number>();
  for (const b of blogs) byBlog.set(b.id, index.get(`blog:${b.id}`) ?? index.get('more') ?? 0);
  const laneOf = (e: DebateMapEntry) => (e.blog === null ? index.get('sites')! : (byBlog.get(e.blog.id) ?? index.get('more') ?? 0));
  return { lanes, laneOf };
}

interface Item {
  entries: DebateMapEntry[];
  shape: MarkShape;
  lane: number;
  bin: MapMark['bin'];
}

/** Gathers entries into marks: one each, or bins per lane, post and day once the debate is large. */
function gather(entries: DebateMapEntry[], laneOf: (e: DebateMapEntry) => number, postOf: EntryLookup, days: string[]): { items: Item[]; binned: boolean } {
  const single = (e: DebateMapEntry): Item => ({ entries: [e], shape: shapeOf(e), lane: laneOf(e), bin: null });
  if (entries.length <= binAboveEntries) return { items: entries.map(single), binned: false };
  const binBy = (all: boolean): Item[] => {
    const bins = new Map<string, Item>();
    const items: Item[] = [];
    entries.forEach((e, i) => {
      // Posts keep their own marks unless even the bins of comments are too many.
      if (!all && e.kind === 'post') {
        items.push(single(e));
        return;
      }
      const about = all ? null : (postOf.get(e.id) ?? null);
      const day = days[i]!;
      const lane = laneOf(e);
      const key = `${lane}|${about?.id ?? '-'}|${day}`;
      const known = bins.get(key);
      if (known) known.entries.push(e);
      else {
        const item: Item = { entries: [e], shape: 'bin', lane, bin: { about, day } };
        bins.set(key, item);
        items.push(item);
      }
    });
    // A bin of one is that entry's own mark.
    return items.map((i) => (i.shape === 'bin' && i.entries.length === 1 ? single(i.entries[0]!) : i));
  };
  const comments = binBy(false);
  return { items: comments.length > binAllAboveMarks ? binBy(true) : comments, binned: true };
}

function halfOf(item: Item): number {
  if (item.shape !== 'bin') return half[item.shape];
  return 8 + 3.3 * String(item.entries.length).length;
}

function arrowPath(from: MapMark, to: MapMark): string {
  if (from.lane === to.lane) {
    // Within a lane: an arc above it, higher for longer spans, never into the lane above.
    const lift = Math.min(laneHeight / 2 - 2, 6 + Math.abs(from.x - to.x) * 0.18);
    const y0 = from.y - from.half;
    const y1 = to.y - to.half - 1;
    return `M${round(from.x)},${round(y0)}C${round(from.x)},${round(from.y - from.half - lift)} ${round(to.x)},${round(to.y - to.half - lift)} ${round(to.x)},${round(y1)}`;
  }
  const down = to.y > from.y;
  const y0 = from.y + (down ? from.half : -from.half);
  const y1 = to.y + (down ? -to.half - 1 : to.half + 1);
  const mid = (y0 + y1) / 2;
  return `M${round(from.x)},${round(y0)}C${round(from.x)},${round(mid)} ${round(to.x)},${round(mid)} ${round(to.x)},${round(y1)}`;
}

/** Lays out a conversation's map: lanes, marks, arrows, day lines and the pauses it compressed. */
export function layoutDebateMap(data: DebateMapData, options: LayoutOptions): MapLayout {
  const gathered = gatherMarks(data, options);
  return withArrows(data, gathered, placeMarks(gathered, options));
}

/**
 * layoutDebateMap in three steps with `pause` awaited between them (gathering the entries into
 * marks, placing the marks, drawing the arrows): each takes 30-100 ms at 100,000 entries.
 */
export async function layoutDebateMapInSteps(data: DebateMapData, options: LayoutOptions, pause: () => Promise<void>): Promise<MapLayout> {
  const gathered = gatherMarks(data, options);
  await pause();
  const placed = placeMarks(gathered, options);
  await pause();
  return withArrows(data, gathered, placed);
}

interface Gathered {
  lanes: ReturnType<typeof assignLanes>['lanes'];
  about: MapLayout['about'];
  items: Item[];
  binned: boolean;
}

// The lanes, and the entries gathered into marks (a bin of comments for a big debate).
function gatherMarks(data: DebateMapData, options: LayoutOptions): Gathered {
  const { lanes, laneOf } = assignLanes(data.entries, options);
  const { postOf, about } = postsOfData(data);
  const { items, binned } = gather(data.entries, laneOf, postOf, entryDays(data, options.timeZone));
  return { lanes, about, items, binned };
}

interface Placed {
  marks: MapMark[];
  gaps: MapGap[];
  days: MapDay[];
  lastLabelX: number;
}

// Where each mark goes: along the time scale, pushed right by crowding, with the day lines and the compressed pauses.
function placeMarks({ lanes, items }: Gathered, options: LayoutOptions): Placed {
  // Time scale: the active time (pauses of a day or more removed) spread over a width that
  // grows with the marks, within bounds; crowded moments push later marks right.
  const times: number[] = [];
  for (const item of items) {
    const t = timeOf(item.entries[0]!);
    times.push(Number.isNaN(t) ? (times.at(-1) ?? 0) : t);
  }
  let activeMs = 0;
  for (let i = 1; i < times.length; i++) {
    const step = Math.max(0, times[i]! - times[i - 1]!);
    if (step < gapMs) activeMs += step;
  }
  const targetWidth = Math.min(1600, Math.max(400, items.length * 20));
  const pxPerMs = activeMs > 0 ? Math.min(40 / 3600_000, Math.max(0.5 / 3600_000, targetWidth / activeMs)) : 0;

  const marks: MapMark[] = [];
  const gaps: MapGap[] = [];
  const days: MapDay[] = [];
  const lastInLane = new Map<number, MapMark>();
  let lastLabelX = -Infinity;
  let previousDay = '';
  items.forEach((item, i) => {
    const h = halfOf(item);
    const prev = marks.at(-1);
    let x = plotLeft + h;
    if (prev) {
      const step = Math.max(0, times[i]! - times[i - 1]!);
      const paused = step >= gapMs;
      x = prev.x + (paused ? gapWidth : step * pxPerMs);
      if (paused) gaps.push({ x: 0, days: Math.floor(step / 86_400_000) });
      const sameLane = lastInLane.get(item.lane);
      if (sameLane) x = Math.max(x, sameLane.x + sameLane.half + h + minGap);
      if (paused) gaps.at(-1)!.x = round((prev.x + prev.half + x - h) / 2);
    }
    const blog = item.entries[0]!.blog;
    const own = blog ? options.marks.get(blog.id) : undefined;
    const mark: MapMark = { entries: item.entries, shape: item.shape, lane: item.lane, x: round(x), y: lanes[item.lane]!.y, half: h, bin: item.bin, colour: own?.colour ?? null, letter: own?.letter ?? '↗' };
    marks.push(mark);
    lastInLane.set(item.lane, mark);
    const day = Number.isNaN(timeOf(item.entries[0]!)) ? previousDay : dayKey(new Date(times[i]!), options.timeZone);
    if (day !== previousDay) {
      // A line before the first mark of each day, as the timeline puts one before each new day.
      const lineX = round(prev ? Math.max(prev.x + prev.half + 1, x - h - 4) : x - h - 4);
      const labelled = lineX - lastLabelX >= dayLabelRoom;
      if (labelled) lastLabelX = lineX;
      days.push({ x: lineX, at: new Date(times[i]!), labelled });
      previousDay = day;
    }
  });
  return { marks, gaps, days, lastLabelX };
}

// The arrows between marks, one per pair with its most telling kind, and the map's size.
function withArrows(data: DebateMapData, { lanes, about, binned }: Gathered, { marks, gaps, days, lastLabelX }: Placed): MapLayout {
  const arrows: MapArrow[] = [];
  const markOf = new Map<number, number>();
  marks.forEach((m, i) => m.entries.forEach((e) => markOf.set(e.id, i)));
  const seen = new Map<string, number>();
  const rank: ArrowKind[] = ['reply', 'ping', 'link'];
  for (const edge of data.edges) {
    const from = markOf.get(edge.fromId);
    const to = markOf.get(edge.toId);
    if (from === undefined || to === undefined || from === to) continue;
    const kind = arrowKind(edge.type);
    const key = `${from}>${to}`;
    const known = seen.get(key);
    if (known !== undefined) {
      if (rank.indexOf(kind) < rank.indexOf(arrows[known]!.kind)) arrows[known]!.kind = kind;
      continue;
    }
    seen.set(key, arrows.length);
    const a = marks[from]!;
    arrows.push({ from, to, fromEntryId: edge.fromId, toEntryId: edge.toId, kind, colour: a.colour, path: arrowPath(a, marks[to]!) });
  }

  const right = marks.reduce((max, m) => Math.max(max, m.x + m.half), plotLeft);
  const lanesBottom = axisHeight + laneHeight * Math.max(1, lanes.length);
  // A day's line sits just before its first mark, so the label of a short last day (or of a
  // debate of one entry) runs past the last mark: without room it is cut at the map's edge.
  const labelsEnd = lastLabelX + dayLabelRoom + dayLabelEndPad;
  return {
    width: Math.ceil(Math.max(right + pad, labelsEnd)),
    height: lanesBottom + (gaps.length ? 20 : 6),
    footY: lanesBottom + 14,
    about,
    lanes,
    marks,
    arrows,
    days,
    gaps,
    binned,
    plotLeft,
    gutter,
  };
}
