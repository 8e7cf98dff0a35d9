// The calendar of an event: its days counted in its own time zone, as the UTC instants they span,
// across daylight saving changes and in zones that skip midnight.
import { describe, expect, it } from 'vitest';
import { eventDays, eventOf, eventPhase, isCalendarDate, startOfDay } from '../../src/domain/groups.ts';
import { parseGroupFields } from '../../src/registry/group-input.ts';

describe('startOfDay', () => {
  it('gives midnight of the day in the zone, in winter and in summer', () => {
    expect(startOfDay('2008-11-12', 'Europe/Berlin')).toBe('2008-11-11T23:00:00.000Z');
    expect(startOfDay('2008-07-01', 'Europe/Berlin')).toBe('2008-06-30T22:00:00.000Z');
    expect(startOfDay('2008-11-12', 'America/New_York')).toBe('2008-11-12T05:00:00.000Z');
    expect(startOfDay('2008-11-12', 'UTC')).toBe('2008-11-12T00:00:00.000Z');
  });

  it('starts a day that skips midnight at its first wall-clock time', () => {
    // Brazil moved its clocks from 00:00 to 01:00 on 2018-11-04.
    expect(startOfDay('2018-11-04', 'America/Sao_Paulo')).toBe('2018-11-04T03:00:00.000Z');
  });
});

describe('eventDays', () => {
  it('counts the days in the event’s zone, a 23-hour day where the clocks change', () => {
    const days = eventDays(eventOf('2008-10-25', '2008-10-27', 'Europe/Berlin'));
    expect(days.map((d) => [d.number, d.date, d.startsAt, d.endsAt])).toEqual([
      [1, '2008-10-25', '2008-10-24T22:00:00.000Z', '2008-10-25T22:00:00.000Z'],
      [2, '2008-10-26', '2008-10-25T22:00:00.000Z', '2008-10-26T23:00:00.000Z'],
      [3, '2008-10-27', '2008-10-26T23:00:00.000Z', '2008-10-27T23:00:00.000Z'],
    ]);
  });

  it('tells where an event stands', () => {
    const event = eventOf('2008-11-12', '2008-11-17', 'Europe/Berlin');
    expect(eventPhase(event, new Date('2008-11-11T22:59:59Z'))).toBe('upcoming');
    expect(eventPhase(event, new Date('2008-11-11T23:00:00Z'))).toBe('running');
    expect(eventPhase(event, new Date('2008-11-17T22:59:59Z'))).toBe('running');
    expect(eventPhase(event, new Date('2008-11-17T23:00:00Z'))).toBe('over');
  });
});

describe('parseGroupFields', () => {
  it('checks dates, their order, the length of an event, the zone and the slug, naming the field', () => {
    expect(isCalendarDate('2008-02-30')).toBe(false);
    const fail = (raw: Record<string, string>) => {
      const parsed = parseGroupFields({ slug: 'week', ...raw }, 'UTC');
      return parsed.ok ? null : parsed.message;
    };
    expect(fail({ from: '2008-11-12' })).toBe('to: an event needs both its first day (from) and its last day (to)');
    expect(fail({ from: '2008-11-17', to: '2008-11-12' })).toBe('to: must not be before from (2008-11-17)');
    expect(fail({ from: '2008-01-01', to: '2009-12-31' })).toBe('to: an event spans at most 366 days');
    expect(fail({ timeZone: 'Mars/Olympus' })).toBe('timeZone: must be an IANA time zone such as Europe/Berlin or UTC');
    expect(fail({ slug: '-week' })).toMatch(/^slug: must be 1 to 64 lower-case letters/);
    expect(fail({ slug: 'a'.repeat(65) })).toMatch(/^slug: /);
    expect(fail({ lang: 'german language' })).toMatch(/^lang: /);
  });

  it('counts an event’s days in the operator’s zone when none is given, and ignores empty form fields', () => {
    const parsed = parseGroupFields({ slug: 'week', title: '  ', from: '2008-11-12', to: '2008-11-17', timeZone: '' }, 'Europe/Berlin');
    expect(parsed).toEqual({
      ok: true,
      fields: { slug: 'week', title: null, description: null, lang: null, event: eventOf('2008-11-12', '2008-11-17', 'Europe/Berlin') },
    });
  });
});
