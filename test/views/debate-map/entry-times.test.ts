// Each entry's day on the map, worked out once per quarter hour: the same as working it out entry
// by entry, in zones offset by half and three quarters of an hour, across changes of summer time,
// and in a year when a zone was offset by minutes and seconds (Amsterdam's +00:19:32).
import { describe, expect, it } from 'vitest';
import type { DebateMapData } from '../../../src/domain/models.ts';
import { dayKey } from '../../../src/views/dates.ts';
import { entryDays, entryTimes } from '../../../src/views/debate-map/entry-times.ts';

function debateAt(instants: string[]): DebateMapData {
  return { conversationId: 1, entries: instants.map((sortAt, i) => ({ id: i + 1, kind: 'comment', blog: null, authorName: null, title: null, sortAt, tombstoned: false })), edges: [] };
}

describe('entryDays', () => {
  it('gives every entry the day dayKey gives it, in any zone', () => {
    let s = 7;
    const next = () => ((s = (s * 1103515245 + 12345) % 2147483648), s / 2147483648);
    const instants: string[] = [];
    // Around midnights and changes of summer time, minute by minute, and scattered over years.
    for (const around of ['2026-03-29T00:00:00Z', '2026-10-03T13:00:00Z', '2026-12-31T18:15:00Z', '1930-06-01T23:40:00Z']) {
      for (let m = -90; m <= 90; m += 1) instants.push(new Date(Date.parse(around) + m * 60_000 + 17_000).toISOString());
    }
    for (let k = 0; k < 2_000; k++) instants.push(new Date(Date.UTC(1925, 0, 1) + next() * 110 * 365 * 86_400_000).toISOString());
    instants.push('not a date');
    const data = debateAt(instants);
    for (const zone of ['Europe/Berlin', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/St_Johns', 'Europe/Amsterdam', 'UTC']) {
      const want = instants.map((at) => (Number.isNaN(Date.parse(at)) ? '' : dayKey(new Date(at), zone)));
      expect(entryDays(data, zone)).toEqual(want);
    }
    expect(entryTimes(data).at(-1)).toBeNaN();
  });

  it('works the days out once per data and zone', () => {
    const data = debateAt(['2026-01-01T10:00:00Z']);
    expect(entryDays(data, 'UTC')).toBe(entryDays(data, 'UTC'));
    expect(entryDays(data, 'Pacific/Kiritimati')).toEqual(['2026-01-02']);
  });
});
