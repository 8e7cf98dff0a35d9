// The text beside the debate map, generated from the same data: how many blogs and entries over
// which days, who answered whom and when the others joined, and the busiest day. It is the
// map for readers who do not see it, in German and English.
import type { DebateMapData, DebateMapEntry } from '../../domain/models.ts';
import type { BlogMark } from '../blog-marks.ts';
import { calendarDaysBetween, dayKey, formatDayRange, formatLongDate } from '../dates.ts';
import { formatNumber, type Locale } from '../i18n.ts';
import { mapWordsFor } from './words.ts';
import { entryDays, entryTimes } from './entry-times.ts';

// Blogs named one by one; the rest are counted.
const namedJoins = 3;

/** Writes the summary of a conversation's map in the reader's language and zone. */
export function summarizeDebate(data: DebateMapData, options: { locale: Locale; timeZone: string; marks: Map<number, BlogMark> }): string {
  const w = mapWordsFor(options.locale);
  const ctx = { locale: options.locale, timeZone: options.timeZone };
  const times = entryTimes(data);
  const days = entryDays(data, options.timeZone);
  const timed = data.entries.filter((_, i) => !Number.isNaN(times[i]!));
  if (timed.length === 0) return '';
  const at = (e: DebateMapEntry) => new Date(e.sortAt);
  const first = at(timed[0]!);
  const last = at(timed.at(-1)!);
  const n = (x: number) => formatNumber(x, options.locale);
  const parts = [w.overview(`${n(options.marks.size)} ${w.blogsNoun(options.marks.size)}`, `${n(data.entries.length)} ${w.entriesNoun(data.entries.length)}`, formatDayRange(first, last, ctx))];

  const byId = new Map(data.entries.map((e) => [e.id, e]));
  const firstOf = new Map<number, DebateMapEntry>();
  for (const e of timed) if (e.blog && !firstOf.has(e.blog.id)) firstOf.set(e.blog.id, e);
  const blogs = [...options.marks.values()].filter((b) => firstOf.has(b.id));
  const dayNumber = (e: DebateMapEntry) => calendarDaysBetween(first, at(e), options.timeZone) + 1;
  blogs.slice(1, 1 + namedJoins).forEach((b, i) => {
    const joinedWith = firstOf.get(b.id)!;
    if (i === 0) {
      // The first answer of this blog to another blog's entry, earliest first.
      let answer: { from: DebateMapEntry; to: DebateMapEntry } | undefined;
      for (const edge of data.edges) {
        const from = byId.get(edge.fromId);
        if (from?.blog?.id !== b.id) continue;
        const to = byId.get(edge.toId);
        if (to?.blog && to.blog.id !== b.id && (!answer || from.sortAt < answer.from.sortAt)) answer = { from, to };
      }
      if (answer?.to && !Number.isNaN(Date.parse(answer.to.sortAt))) {
        const target = answer.to;
        const kind = target.kind === 'post' ? 'post' : target.kind === 'comment' ? 'comment' : 'linkback';
        const whose = options.marks.get(target.blog!.id)?.name ?? '';
        parts.push(w.answered(b.name, kind, whose, Math.max(0, calendarDaysBetween(at(target), at(answer.from!), options.timeZone))));
        return;
      }
    }
    parts.push(w.joined(b.name, dayNumber(joinedWith)));
  });
  const rest = blogs.slice(1 + namedJoins);
  if (rest.length) parts.push(w.moreJoined(rest.length, Math.max(...rest.map((b) => dayNumber(firstOf.get(b.id)!)))));

  if (dayKey(first, options.timeZone) !== dayKey(last, options.timeZone)) {
    const perDay = new Map<string, { count: number; at: Date }>();
    data.entries.forEach((e, i) => {
      const key = days[i]!;
      if (key === '') return;
      const known = perDay.get(key);
      if (known) known.count += 1;
      else perDay.set(key, { count: 1, at: at(e) });
    });
    const busiest = [...perDay.values()].reduce((best, d) => (d.count > best.count ? d : best));
    parts.push(w.busiest(formatLongDate(busiest.at, ctx), busiest.count));
  }
  const unfollowed = data.entries.filter((e) => e.blog === null).length;
  if (unfollowed) parts.push(w.unfollowedPings(unfollowed));
  return `${parts.join('; ')}.`;
}
