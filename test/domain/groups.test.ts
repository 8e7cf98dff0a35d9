// The calendar of an event: its days counted in its own time zone, as the UTC instants they span,
// across daylight saving changes and in zones that skip midnight.
import { describe, expect, it } from 'vitest';
import { eventDays, eventOf, eventPhase, startOfDay } from '../../src/domain/groups.ts';

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
