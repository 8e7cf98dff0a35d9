// The day-by-day programme of an event, read from the store a page of days at a time: the days
// so far (all of them once it is over), each with its counts and its first posts. Days are
// counted in the event's own time zone (domain/groups.ts); this module only composes reads.
import type { Db } from '../db/open.ts';
import { eventDays, type Group, type GroupEvent } from '../domain/groups.ts';
import { countGroupEntriesBetween, listGroupPostsBetween } from '../store/group-conversations.ts';
import type { ProgrammeDay } from '../views/group-programme.ts';

/** Days of the programme on one page (three queries each). */
export const programmeDaysPerPage = 14;
/** Posts a day lists by name; the rest are counted ("and 5 more"). */
const postsPerDay = 8;

export interface ProgrammePage {
  days: ProgrammeDay[];
  /** The number of the first day of the next page, or null on the last one. */
  nextDay: number | null;
  /** The number of the first day of the previous page, or null on the first one. */
  previousDay: number | null;
  /** How many days have begun (the programme's whole length so far). */
  daysSoFar: number;
}

/** Lists the days of an event that have begun by `now`. */
export function daysBegun(event: GroupEvent, now: Date) {
  const t = now.toISOString();
  return eventDays(event).filter((d) => d.startsAt <= t);
}

/** Reads one page of an event's programme, starting at day `fromDay` (1 for the first). */
export async function loadProgramme(db: Db, group: Group & { event: GroupEvent }, now: Date, fromDay = 1): Promise<ProgrammePage> {
  const begun = daysBegun(group.event, now);
  const start = Math.min(Math.max(1, fromDay), Math.max(1, begun.length));
  const shown = begun.slice(start - 1, start - 1 + programmeDaysPerPage);
  const days: ProgrammeDay[] = [];
  for (const day of shown) {
    days.push({
      day,
      counts: await countGroupEntriesBetween(db, group.id, day.startsAt, day.endsAt),
      posts: await listGroupPostsBetween(db, group.id, day.startsAt, day.endsAt, postsPerDay),
    });
  }
  const last = start - 1 + shown.length;
  return {
    days,
    nextDay: last < begun.length ? last + 1 : null,
    previousDay: start > 1 ? Math.max(1, start - programmeDaysPerPage) : null,
    daysSoFar: begun.length,
  };
}
