// The debate map as a page shows it (a <figure> with its summary as caption, the SVG in a box
// that scrolls sideways on its own) and as a document of its own (/c/:id/map.svg).
import type { DebateMapData } from '../../domain/models.ts';
import type { BlogMark } from '../blog-marks.ts';
import { html, trustedHtml, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { drawDebateMap, drawDebateMapSplit } from './draw.ts';
import { layoutDebateMap, layoutDebateMapInSteps } from './layout.ts';
import { postsOfData } from './posts-of.ts';
import { summarizeDebate } from './summary.ts';
import { mapWordsFor } from './words.ts';

export interface DebateMapView {
  data: DebateMapData;
  /** The blogs' colours and letters, the same the conversation's page uses. */
  marks: Map<number, BlogMark>;
  locale: Locale;
  timeZone: string;
  /** Where a mark links. */
  hrefOf: (entryId: number) => string;
}

/**
 * A map laid out, with its summary: everything but where its marks link, which is all that
 * changes from one page of a conversation to the next. A page keeps it per version of the data,
 * so paging through a large debate lays its map out once.
 */
export interface LaidOutMap {
  layout: ReturnType<typeof layoutDebateMap>;
  summary: string;
  locale: Locale;
  timeZone: string;
  empty: boolean;
}

/** Lays a map out and writes its summary. */
export function layOutDebateMap(view: Omit<DebateMapView, 'hrefOf'>): LaidOutMap {
  const words = mapWordsFor(view.locale);
  return {
    layout: layoutDebateMap(view.data, { timeZone: view.timeZone, marks: view.marks, names: { more: words.moreBlogs, sites: words.otherSites } }),
    summary: summarizeDebate(view.data, { locale: view.locale, timeZone: view.timeZone, marks: view.marks }),
    locale: view.locale,
    timeZone: view.timeZone,
    empty: view.data.entries.length === 0,
  };
}

/**
 * layOutDebateMap in parts with `pause` awaited between them (what each entry is about, the
 * summary, and the layout's own steps): a page gives the event loop a turn there, as a debate of
 * a hundred thousand entries takes about half a second to lay out.
 */
export async function layOutDebateMapInParts(view: Omit<DebateMapView, 'hrefOf'>, pause: () => Promise<void>): Promise<LaidOutMap> {
  postsOfData(view.data);
  await pause();
  const summary = summarizeDebate(view.data, { locale: view.locale, timeZone: view.timeZone, marks: view.marks });
  await pause();
  const words = mapWordsFor(view.locale);
  const layout = await layoutDebateMapInSteps(view.data, { timeZone: view.timeZone, marks: view.marks, names: { more: words.moreBlogs, sites: words.otherSites } }, pause);
  return { layout, summary, locale: view.locale, timeZone: view.timeZone, empty: view.data.entries.length === 0 };
}

/** Renders the map figure of a conversation page, with its summary and a link to the SVG. */
export function renderDebateMapFigure(view: DebateMapView & { svgHref: string }): SafeHtml {
  return renderLaidOutMapFigure(layOutDebateMap(view), view);
}

/** renderDebateMapFigure of a map laid out before: its marks link by `hrefOf`. */
export function renderLaidOutMapFigure(laid: LaidOutMap, links: { hrefOf: (entryId: number) => string; svgHref: string }): SafeHtml {
  if (laid.empty) return html``;
  const words = mapWordsFor(laid.locale);
  const split = drawDebateMapSplit(laid.layout, { locale: laid.locale, timeZone: laid.timeZone, words, hrefOf: links.hrefOf });
  return html`<figure class="debate-map" aria-labelledby="map-summary">
<a class="skip-map" href="#after-map">${words.skipMap}</a>
<div class="map-frame">${trustedHtml(split.lanes)}<div class="map-scroll">${trustedHtml(split.plot)}</div></div>
<figcaption class="map-summary"><span id="map-summary">${laid.summary}</span> <a class="map-svg" href="${links.svgHref}" type="image/svg+xml">${words.asSvg}</a></figcaption>
</figure><span id="after-map"></span>`;
}

/** Renders the map as an SVG document that links its marks to the conversation's page. */
export function renderDebateMapSvg(view: DebateMapView, stylesheet: string): string {
  return renderLaidOutMapSvg(layOutDebateMap(view), view.hrefOf, stylesheet);
}

/** renderDebateMapSvg of a map laid out before. */
export function renderLaidOutMapSvg(laid: LaidOutMap, hrefOf: (entryId: number) => string, stylesheet: string): string {
  const words = mapWordsFor(laid.locale);
  return drawDebateMap(laid.layout, { locale: laid.locale, timeZone: laid.timeZone, words, hrefOf, standalone: { stylesheet, description: laid.summary } });
}

/** Writes the map's summary alone (for the SVG's description and for tests). */
export function debateMapSummary(view: Pick<DebateMapView, 'data' | 'marks' | 'locale' | 'timeZone'>): string {
  return summarizeDebate(view.data, view);
}
