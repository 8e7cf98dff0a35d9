// Dates on the pages: absolute dates (and times) in the reader's language and the page's time
// zone, with relative words only where they help (within the hour, today, yesterday, this
// week), day keys for the timeline's day separators, and the <time> element. Intl only.
import { html, type SafeHtml } from './html.ts';
import type { Locale } from './i18n.ts';

/** How a page shows time: the reader's language, the zone the page is in, and now. */
export interface DateContext {
  locale: Locale;
  /** An IANA time zone that Intl accepts (validated by resolveTimeZone). */
  timeZone: string;
  now: Date;
}

type Style = 'date' | 'dateTime' | 'time' | 'weekday' | 'weekdayTime' | 'full' | 'day' | 'parts' | 'dayMonth' | 'longDate';

const styles: Record<Style, (locale: Locale) => Intl.DateTimeFormatOptions> = {
  date: () => ({ day: 'numeric', month: 'short', year: 'numeric' }),
  dateTime: (l) => ({ day: 'numeric', month: 'short', year: 'numeric', hour: hourStyle(l), minute: '2-digit' }),
  time: (l) => ({ hour: hourStyle(l), minute: '2-digit' }),
  weekday: () => ({ weekday: 'long' }),
  weekdayTime: (l) => ({ weekday: 'long', hour: hourStyle(l), minute: '2-digit' }),
  full: (l) => ({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: hourStyle(l), minute: '2-digit', timeZoneName: 'short' }),
  day: () => ({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }),
  parts: () => ({ year: 'numeric', month: '2-digit', day: '2-digit', calendar: 'gregory', numberingSystem: 'latn' }),
  dayMonth: () => ({ day: 'numeric', month: 'short' }),
  longDate: () => ({ day: 'numeric', month: 'long', year: 'numeric' }),
};

// German writes 09:47, English 9:47 AM.
function hourStyle(locale: Locale): '2-digit' | 'numeric' {
  return locale === 'de' ? '2-digit' : 'numeric';
}

// Formatters are costly to build and a 500-entry page asks for a thousand dates. Keys are
// bounded: two locales × the styles × zones Intl accepts (resolved to canonical names).
const formats = new Map<string, Intl.DateTimeFormat>();
const relativeFormats = new Map<Locale, Intl.RelativeTimeFormat>();
const maxFormats = 4096;

function formatter(locale: Locale, timeZone: string, style: Style): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${style}`;
  let f = formats.get(key);
  if (!f) {
    if (formats.size >= maxFormats) formats.clear();
    f = new Intl.DateTimeFormat(locale, { ...styles[style](locale), timeZone });
    formats.set(key, f);
  }
  return f;
}

function relative(locale: Locale): Intl.RelativeTimeFormat {
  let f = relativeFormats.get(locale);
  if (!f) relativeFormats.set(locale, (f = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })));
  return f;
}

/**
 * Returns the canonical IANA name of a time zone Intl knows ("europe/berlin" → "Europe/Berlin"),
 * or null for anything else (it may come from a cookie).
 */
export function resolveTimeZone(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(value)) return null;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Returns the zone this machine runs in (TZ, else the system's), as Intl names it. */
export function systemTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function parse(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

function exactDayKey(date: Date, timeZone: string): string {
  const parts: Record<string, string> = {};
  for (const p of formatter('en', timeZone, 'parts').formatToParts(date)) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

// The day of each hour asked about, per zone: a debate's map and summary ask for hundreds of
// instants within a few days, and Intl is slow. An hour whose first and last millisecond fall on
// different days (a day starting within it) is never kept.
const hourDays = new Map<string, string>();
const maxHourDays = 20_000;

/** Returns the calendar day of an instant in a zone, as YYYY-MM-DD (the timeline's day key). */
export function dayKey(date: Date, timeZone: string): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return exactDayKey(date, timeZone);
  const hour = Math.floor(ms / 3_600_000);
  const key = `${timeZone}|${hour}`;
  const known = hourDays.get(key);
  if (known !== undefined) return known;
  const first = exactDayKey(new Date(hour * 3_600_000), timeZone);
  if (first !== exactDayKey(new Date(hour * 3_600_000 + 3_599_999), timeZone)) return exactDayKey(date, timeZone);
  if (hourDays.size >= maxHourDays) hourDays.clear();
  hourDays.set(key, first);
  return first;
}

/** Counts whole calendar days from `from` to `to` in a zone (0 on the same day, 1 for the next). */
export function calendarDaysBetween(from: Date, to: Date, timeZone: string): number {
  const a = Date.parse(`${dayKey(from, timeZone)}T00:00:00Z`);
  const b = Date.parse(`${dayKey(to, timeZone)}T00:00:00Z`);
  return Math.round((b - a) / 86_400_000);
}

/**
 * Formats when something happened for reading: "vor 5 Minuten" within the hour, "heute, 09:47",
 * "gestern, 21:36", "Montag, 08:05" within the week, else "12. Nov. 2008, 09:47" (the time only
 * when `withTime`). The future reads the same way ("in 20 Minuten", "morgen, 06:00").
 */
export function formatWhen(iso: string | null | undefined, ctx: DateContext, options: { withTime?: boolean } = {}): string {
  const d = parse(iso);
  if (!d) return '';
  const withTime = options.withTime ?? true;
  const seconds = Math.round((d.getTime() - ctx.now.getTime()) / 1000);
  if (Math.abs(seconds) < 60) return relative(ctx.locale).format(seconds, 'second');
  if (Math.abs(seconds) < 3600) return relative(ctx.locale).format(Math.round(seconds / 60), 'minute');
  // Calendar days matter only near now; most of a debate lies further back (and this is the
  // costly part of a 500-entry page).
  const days = Math.abs(seconds) < 9 * 86_400 ? calendarDaysBetween(ctx.now, d, ctx.timeZone) : Math.sign(seconds) * 9;
  const time = withTime ? `, ${formatter(ctx.locale, ctx.timeZone, 'time').format(d)}` : '';
  if (Math.abs(days) <= 1) return `${relative(ctx.locale).format(days, 'day')}${time}`;
  if (days < 0 && days > -7) return formatter(ctx.locale, ctx.timeZone, withTime ? 'weekdayTime' : 'weekday').format(d);
  return formatter(ctx.locale, ctx.timeZone, withTime ? 'dateTime' : 'date').format(d);
}

/** Formats an instant completely, with weekday and zone ("Mittwoch, 12. November 2008 um 09:47 MEZ"). */
export function formatFull(iso: string | null | undefined, ctx: Pick<DateContext, 'locale' | 'timeZone'>): string {
  const d = parse(iso);
  return d ? formatter(ctx.locale, ctx.timeZone, 'full').format(d) : '';
}

/** Formats a calendar day for a day separator ("Mittwoch, 12. November 2008"). */
export function formatDay(date: Date, ctx: Pick<DateContext, 'locale' | 'timeZone'>): string {
  return formatter(ctx.locale, ctx.timeZone, 'day').format(date);
}

/** Names a time zone for people ("Mitteleuropäische Zeit", "Central European Time"; else its IANA name). */
export function timeZoneName(timeZone: string, locale: Locale): string {
  const name = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'longGeneric' }).formatToParts(new Date(Date.UTC(2024, 0, 15))).find((p) => p.type === 'timeZoneName')?.value;
  // Zones without a name of their own come out as "GMT+00:00"; the IANA name says more.
  return name && !/^(GMT|UTC)/.test(name) ? `${name} (${timeZone})` : timeZone;
}

/** Renders a <time> element: readable text, the machine-readable instant, the full date as its title. */
export function timeElement(iso: string | null | undefined, ctx: DateContext, options: { withTime?: boolean; className?: string } = {}): SafeHtml | string {
  if (!parse(iso)) return '';
  return html`<time${options.className ? html` class="${options.className}"` : ''} datetime="${iso}" title="${formatFull(iso, ctx)}">${formatWhen(iso, ctx, options)}</time>`;
}

/** Formats an instant absolutely, never relative ("12. Nov. 2008, 09:47"): for text that is cached longer. */
export function formatDateTime(iso: string | null | undefined, ctx: Pick<DateContext, 'locale' | 'timeZone'>): string {
  const d = parse(iso);
  return d ? formatter(ctx.locale, ctx.timeZone, 'dateTime').format(d) : '';
}

/** Formats a day short, for an axis ("12. Nov.", "Nov 12"). */
export function formatDayMonth(date: Date, ctx: Pick<DateContext, 'locale' | 'timeZone'>): string {
  return formatter(ctx.locale, ctx.timeZone, 'dayMonth').format(date);
}

/** Formats a day in full without its weekday ("17. November 2008", "November 17, 2008"). */
export function formatLongDate(date: Date, ctx: Pick<DateContext, 'locale' | 'timeZone'>): string {
  return formatter(ctx.locale, ctx.timeZone, 'longDate').format(date);
}

/** Formats the days from one instant to another as the language writes a range ("12.–17. November 2008"). */
export function formatDayRange(from: Date, to: Date, ctx: Pick<DateContext, 'locale' | 'timeZone'>): string {
  const f = formatter(ctx.locale, ctx.timeZone, 'longDate');
  return dayKey(from, ctx.timeZone) === dayKey(to, ctx.timeZone) ? f.format(from) : f.formatRange(from, to);
}
