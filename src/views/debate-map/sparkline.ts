// The debate map in small, for each conversation of the home page: a bar per day of activity
// (long debates in buckets of days) and the letters of its blogs in their colours.
import type { ConversationActivity } from '../../domain/models.ts';
import { assignBlogMarks } from '../blog-marks.ts';
import { html, trustedHtml, type SafeHtml } from '../html.ts';
import { formatNumber, type Locale } from '../i18n.ts';
import { mapWordsFor } from './words.ts';

const width = 120;
const height = 22;
// More days than this are drawn in buckets of several days.
const maxBars = 40;
// Letters shown; the rest are counted.
const maxLetters = 8;

/** Renders a conversation's activity as a small bar chart with its blogs' letters. */
export function renderActivitySparkline(activity: ConversationActivity, locale: Locale): SafeHtml {
  const w = mapWordsFor(locale);
  const valid = activity.days.filter((d) => !Number.isNaN(Date.parse(`${d.day}T00:00:00Z`)));
  if (valid.length === 0) return html``;
  const dayNumber = (day: string) => Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
  const first = dayNumber(valid[0]!.day);
  const span = dayNumber(valid.at(-1)!.day) - first + 1;
  const perBar = Math.max(1, Math.ceil(span / maxBars));
  const bars = new Array<number>(Math.ceil(span / perBar)).fill(0);
  for (const d of valid) bars[Math.floor((dayNumber(d.day) - first) / perBar)]! += d.count;
  const peak = Math.max(...bars);
  const step = width / bars.length;
  const barWidth = Math.max(1.5, Math.min(10, step - 1));
  const rects = bars
    .map((count, i) => {
      if (count === 0) return '';
      const h = Math.max(2, Math.round((count / peak) * (height - 2)));
      return `<rect x="${Math.round(i * step * 10) / 10}" y="${height - h}" width="${barWidth}" height="${h}"/>`;
    })
    .join('');
  const total = valid.reduce((n, d) => n + d.count, 0);
  const label = w.activity(`${formatNumber(total, locale)} ${w.entriesNoun(total)}`, `${formatNumber(valid.length, locale)} ${w.daysNoun(valid.length)}`);
  const marks = [...assignBlogMarks(activity.blogs.map((blog) => ({ blog }))).values()];
  const letters = marks.slice(0, maxLetters);
  return html`<span class="sparkline"><svg class="spark" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${label}" fill="#8a3b12"><title>${label}</title><line class="spark-base" x1="0" y1="${height - 0.5}" x2="${width}" y2="${height - 0.5}" stroke="#dedbd2"/>${trustedHtml(rects)}</svg><span class="spark-letters" aria-hidden="true">${letters.map((m) => html`<span class="mark blog-c${m.colour}" title="${m.name}">${m.letter}</span>`)}${marks.length > maxLetters ? html`<span class="spark-more">+${formatNumber(marks.length - maxLetters, locale)}</span>` : ''}</span></span>`;
}
