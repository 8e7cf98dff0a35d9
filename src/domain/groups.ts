// Groups of blogs: a named set of blogs (an event such as a blog week, or a topic) with its
// shape as every layer sees it, what a slug may be, and the calendar of an event: its days in
// the event's own time zone, as UTC instants. Pure: Intl only, no clock unless given one.
import type { BlogRef } from './models.ts';

/** What makes a group an event: its first and last day in its time zone, and the instants they span. */
export interface GroupEvent {
  /** The first day, YYYY-MM-DD, in `timeZone`. */
  startsOn: string;
  /** The last day (inclusive), YYYY-MM-DD, in `timeZone`. */
  endsOn: string;
  /** The IANA zone the event's days are counted in. */
  timeZone: string;
  /** Midnight at the start of the first day (ISO 8601 UTC). */
  startsAt: string;
  /** Midnight after the last day (ISO 8601 UTC), exclusive. */
  endsAt: string;
}

/** A group of blogs: its name and what it is about, its language, and its dates when it is an event. */
export interface Group {
  id: number;
  slug: string;
  title: string;
  description: string | null;
  /** The language the group's blogs write in (BCP 47), for its feeds and pages' lang attributes. */
  lang: string | null;
  event: GroupEvent | null;
  createdAt: string;
  /** When the group or its members last changed (its feeds change with it). */
  updatedAt: string;
}

/** A group in a list: with how many blogs belong to it. */
export interface GroupSummary extends Group {
  memberCount: number;
}

/** A group as created: what a person gives, the event's instants computed from its days. */
export type NewGroup = Pick<Group, 'slug' | 'title' | 'description' | 'lang' | 'event'>;

/** A slug names a group in its addresses (/g/<slug>): lower-case letters, digits and inner hyphens. */
export const groupSlugPattern = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** The most days one event may span: a year (its programme has a line per day). */
export const maxEventDays = 366;

/** The most blogs one group may hold (its page and API list every member). */
export const maxGroupMembers = 1000;

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

// How far a zone's wall clock is ahead of UTC at an instant, in milliseconds.
function zoneOffsetMs(instant: number, timeZone: string): number {
  let f = offsetFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    if (offsetFormats.size > 512) offsetFormats.clear();
    offsetFormats.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(instant))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** Tells whether a string is a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

/** Returns the day after a YYYY-MM-DD date (or `days` later), as YYYY-MM-DD. */
export function addDays(date: string, days = 1): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Counts the days from one YYYY-MM-DD date to another (0 on the same day). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * Returns the instant a calendar day begins in a zone (ISO 8601 UTC). Where a zone skips
 * midnight (a daylight saving change at 00:00), the day begins at the first wall-clock time it has.
 */
export function startOfDay(date: string, timeZone: string): string {
  const wallMidnight = Date.parse(`${date}T00:00:00Z`);
  // Two guesses: the offset at the first may differ from the offset at the answer (DST). Where
  // midnight is skipped one guess falls on the day before; the earliest guess on the day wins.
  const first = wallMidnight - zoneOffsetMs(wallMidnight, timeZone);
  const second = wallMidnight - zoneOffsetMs(first, timeZone);
  const onTheDay = [first, second].filter((t) => new Date(t + zoneOffsetMs(t, timeZone)).toISOString().slice(0, 10) === date);
  return new Date(onTheDay.length ? Math.min(...onTheDay) : Math.max(first, second)).toISOString();
}

/** Builds an event from its first and last day in a zone: the days as given, the instants they span. */
export function eventOf(startsOn: string, endsOn: string, timeZone: string): GroupEvent {
  return { startsOn, endsOn, timeZone, startsAt: startOfDay(startsOn, timeZone), endsAt: startOfDay(addDays(endsOn), timeZone) };
}

/** One day of an event: its number (1 for the first), its date and the instants it spans. */
export interface EventDay {
  number: number;
  date: string;
  startsAt: string;
  endsAt: string;
}

/** Lists the days of an event, first to last. */
export function eventDays(event: GroupEvent): EventDay[] {
  const count = Math.min(daysBetween(event.startsOn, event.endsOn) + 1, maxEventDays);
  const days: EventDay[] = [];
  for (let i = 0; i < count; i++) {
    const date = addDays(event.startsOn, i);
    days.push({ number: i + 1, date, startsAt: startOfDay(date, event.timeZone), endsAt: startOfDay(addDays(date), event.timeZone) });
  }
  return days;
}

/** Where an event stands at an instant: not begun, under way, or over (its summary stays). */
export type EventPhase = 'upcoming' | 'running' | 'over';

/** Tells where an event stands at `now`. */
export function eventPhase(event: GroupEvent, now: Date): EventPhase {
  const t = now.toISOString();
  if (t < event.startsAt) return 'upcoming';
  return t < event.endsAt ? 'running' : 'over';
}

/** Blogs outside a group that took part in its conversations: registered ones, and the sites of unregistered pingers. */
export interface OutsideParticipants {
  blogs: BlogRef[];
  /** Addresses of entries from sites Palaver does not follow (pings from unregistered blogs). */
  siteUrls: string[];
}

/** What a group's member blogs published between two instants: entries by kind, the blogs that posted. */
export interface GroupSpanCounts {
  posts: number;
  comments: number;
  linkbacks: number;
  /** Blogs with at least one post in the span. */
  postingBlogs: number;
  /** Blogs with any entry in the span. */
  activeBlogs: number;
  authors: number;
}

/** A post of a member blog, as a day of an event lists it. */
export interface GroupPost {
  id: number;
  title: string | null;
  url: string | null;
  authorName: string | null;
  sortAt: string;
  lang: string | null;
  conversationId: number;
  blog: BlogRef;
}
