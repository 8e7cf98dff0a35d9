// The instant and the calendar day of each entry of a map's data, worked out once for the data
// (and once per time zone for the days): the layout, its bins and the summary each went through
// every entry's date again, which in a debate of a hundred thousand entries took a good part of
// a second.
import type { DebateMapData } from '../../domain/models.ts';
import { dayKey } from '../dates.ts';

const timesOfData = new WeakMap<DebateMapData, Float64Array>();
const daysOfData = new WeakMap<DebateMapData, Map<string, string[]>>();

/** Each entry's time in ms (NaN when its date does not parse), by position in data.entries. */
export function entryTimes(data: DebateMapData): Float64Array {
  let times = timesOfData.get(data);
  if (!times) {
    times = new Float64Array(data.entries.length);
    data.entries.forEach((e, i) => (times![i] = Date.parse(e.sortAt)));
    timesOfData.set(data, times);
  }
  return times;
}

/** Each entry's calendar day in `timeZone` (YYYY-MM-DD; '' when its date does not parse), by position. */
export function entryDays(data: DebateMapData, timeZone: string): string[] {
  let zones = daysOfData.get(data);
  if (!zones) daysOfData.set(data, (zones = new Map()));
  let days = zones.get(timeZone);
  if (!days) {
    const times = entryTimes(data);
    // Today's zones are offset by whole quarter hours, so the entries of one quarter share a
    // day; a quarter a day begins within (an old local mean time) is worked out entry by entry.
    const byQuarter = new Map<number, string | null>();
    days = Array.from(times, (t) => {
      if (Number.isNaN(t)) return '';
      const quarter = Math.floor(t / 900_000);
      let day = byQuarter.get(quarter);
      if (day === undefined) {
        const first = dayKey(new Date(quarter * 900_000), timeZone);
        day = first === dayKey(new Date(quarter * 900_000 + 899_999), timeZone) ? first : null;
        byQuarter.set(quarter, day);
      }
      return day ?? dayKey(new Date(t), timeZone);
    });
    zones.set(timeZone, days);
  }
  return days;
}
