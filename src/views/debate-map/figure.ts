// The debate map as a page shows it (a <figure> with its summary as caption, the SVG in a box
// that scrolls sideways on its own) and as a document of its own (/c/:id/map.svg).
import type { DebateMapData } from '../../domain/models.ts';
import type { BlogMark } from '../blog-marks.ts';
import { html, trustedHtml, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { drawDebateMap, drawDebateMapSplit } from './draw.ts';
import { layoutDebateMap } from './layout.ts';
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

function laidOut(view: DebateMapView) {
  const words = mapWordsFor(view.locale);
  const layout = layoutDebateMap(view.data, { timeZone: view.timeZone, marks: view.marks, names: { more: words.moreBlogs, sites: words.otherSites } });
  return { layout, options: { locale: view.locale, timeZone: view.timeZone, words, hrefOf: view.hrefOf } };
}

/** Renders the map figure of a conversation page, with its summary and a link to the SVG. */
export function renderDebateMapFigure(view: DebateMapView & { svgHref: string }): SafeHtml {
  if (view.data.entries.length === 0) return html``;
  const words = mapWordsFor(view.locale);
  const summary = summarizeDebate(view.data, { locale: view.locale, timeZone: view.timeZone, marks: view.marks });
  const { layout, options } = laidOut(view);
  const split = drawDebateMapSplit(layout, options);
  return html`<figure class="debate-map" aria-labelledby="map-summary">
<a class="skip-map" href="#after-map">${words.skipMap}</a>
<div class="map-frame">${trustedHtml(split.lanes)}<div class="map-scroll">${trustedHtml(split.plot)}</div></div>
<figcaption class="map-summary"><span id="map-summary">${summary}</span> <a class="map-svg" href="${view.svgHref}" type="image/svg+xml">${words.asSvg}</a></figcaption>
</figure><span id="after-map"></span>`;
}

/** Renders the map as an SVG document that links its marks to the conversation's page. */
export function renderDebateMapSvg(view: DebateMapView, stylesheet: string): string {
  const { layout, options } = laidOut(view);
  return drawDebateMap(layout, { ...options, standalone: { stylesheet, description: summarizeDebate(view.data, view) } });
}

/** Writes the map's summary alone (for the SVG's description and for tests). */
export function debateMapSummary(view: Pick<DebateMapView, 'data' | 'marks' | 'locale' | 'timeZone'>): string {
  return summarizeDebate(view.data, view);
}
