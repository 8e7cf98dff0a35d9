// Dates on the pages: absolute in the reader's language and the page's zone, relative words
// only within the hour and for today, yesterday and this week.
import { describe, expect, it } from 'vitest';
import { calendarDaysBetween, dayKey, formatDay, formatFull, formatWhen, resolveTimeZone, timeElement, timeZoneName, type DateContext } from '../../src/views/dates.ts';

const berlin = (now: string, locale: 'de' | 'en' = 'de'): DateContext => ({ locale, timeZone: 'Europe/Berlin', now: new Date(now) });

describe('formatWhen', () => {
  it('shows an old date with its time in the page zone, never "18 years ago"', () => {
    const ctx = berlin('2026-11-27T12:00:00Z');
    expect(formatWhen('2008-11-12T08:47:00Z', ctx)).toBe('12. Nov. 2008, 09:47');
    expect(formatWhen('2008-11-12T08:47:00Z', ctx, { withTime: false })).toBe('12. Nov. 2008');
    expect(formatWhen('2008-11-12T08:47:00Z', { ...ctx, locale: 'en' })).toBe('Nov 12, 2008, 9:47 AM');
    expect(formatWhen('2008-11-12T08:47:00Z', { ...ctx, timeZone: 'America/New_York', locale: 'en' })).toBe('Nov 12, 2008, 3:47 AM');
  });

  it('tells 12 November from 17 November', () => {
    const ctx = berlin('2026-11-27T12:00:00Z');
    expect(formatWhen('2008-11-12T08:47:00Z', ctx)).not.toBe(formatWhen('2008-11-17T07:58:00Z', ctx));
  });

  it('says today, yesterday and the weekday within the week, by the calendar of the page zone', () => {
    // 23:30 in Berlin on Monday 17 November 2008.
    const ctx = berlin('2008-11-17T22:30:00Z');
    expect(formatWhen('2008-11-17T07:58:00Z', ctx)).toBe('heute, 08:58');
    // 23:10 UTC on the 16th is already the 17th in Berlin.
    expect(formatWhen('2008-11-16T23:10:00Z', ctx)).toBe('heute, 00:10');
    expect(formatWhen('2008-11-16T18:40:00Z', ctx)).toBe('gestern, 19:40');
    expect(formatWhen('2008-11-14T21:30:00Z', ctx)).toBe('Freitag, 22:30');
    expect(formatWhen('2008-11-14T21:30:00Z', { ...ctx, locale: 'en' })).toBe('Friday 10:30 PM');
    expect(formatWhen('2008-11-10T09:00:00Z', ctx)).toBe('10. Nov. 2008, 10:00');
    expect(formatWhen('2008-11-16T18:40:00Z', ctx, { withTime: false })).toBe('gestern');
  });

  it('counts minutes within the hour, both ways', () => {
    const ctx = berlin('2008-11-17T12:00:00Z');
    expect(formatWhen('2008-11-17T11:55:00Z', ctx)).toBe('vor 5 Minuten');
    expect(formatWhen('2008-11-17T12:20:00Z', { ...ctx, locale: 'en' })).toBe('in 20 minutes');
    expect(formatWhen('2008-11-18T05:00:00Z', ctx)).toBe('morgen, 06:00');
  });

  it('returns nothing for a missing or broken time', () => {
    const ctx = berlin('2008-11-17T12:00:00Z');
    expect(formatWhen(null, ctx)).toBe('');
    expect(formatWhen('not a date', ctx)).toBe('');
    expect(timeElement('not a date', ctx)).toBe('');
  });
});

describe('timeElement', () => {
  it('carries the instant and the full date with weekday and zone as its title', () => {
    const ctx = berlin('2026-11-27T12:00:00Z');
    expect(String(timeElement('2008-11-12T08:47:00Z', ctx, { className: 'dt-published' }))).toBe(
      '<time class="dt-published" datetime="2008-11-12T08:47:00Z" title="Mittwoch, 12. November 2008 um 09:47 MEZ">12. Nov. 2008, 09:47</time>',
    );
    expect(formatFull('2008-07-01T10:00:00Z', ctx)).toBe('Dienstag, 1. Juli 2008 um 12:00 MESZ');
  });
});

describe('day keys and separators', () => {
  it('puts an instant on its calendar day in the zone and counts the days between', () => {
    expect(dayKey(new Date('2008-11-16T23:10:00Z'), 'Europe/Berlin')).toBe('2008-11-17');
    expect(dayKey(new Date('2008-11-16T23:10:00Z'), 'UTC')).toBe('2008-11-16');
    expect(calendarDaysBetween(new Date('2008-11-12T22:30:00Z'), new Date('2008-11-14T21:30:00Z'), 'Europe/Berlin')).toBe(2);
    expect(calendarDaysBetween(new Date('2008-11-17T07:00:00Z'), new Date('2008-11-17T21:00:00Z'), 'Europe/Berlin')).toBe(0);
    expect(formatDay(new Date('2008-11-12T08:47:00Z'), { locale: 'de', timeZone: 'Europe/Berlin' })).toBe('Mittwoch, 12. November 2008');
  });
});

describe('time zones', () => {
  it('accepts IANA names Intl knows, in their canonical spelling, and nothing else', () => {
    expect(resolveTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(resolveTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(resolveTimeZone('UTC')).toBe('UTC');
    expect(resolveTimeZone('Mars/Olympus_Mons')).toBeNull();
    expect(resolveTimeZone('"><script>')).toBeNull();
    expect(resolveTimeZone('A'.repeat(100))).toBeNull();
    expect(resolveTimeZone(undefined)).toBeNull();
  });

  it('names a zone for people, with its IANA name', () => {
    expect(timeZoneName('Europe/Berlin', 'de')).toBe('Mitteleuropäische Zeit (Europe/Berlin)');
    expect(timeZoneName('America/New_York', 'en')).toBe('Eastern Time (America/New_York)');
    expect(timeZoneName('UTC', 'en')).toBe('UTC');
  });
});

describe('dayKey', () => {
  it('agrees with Intl for every instant, also in zones whose days start within an hour and across DST', () => {
    const exact = (d: Date, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
    for (const timeZone of ['Europe/Berlin', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Lord_Howe', 'UTC']) {
      // Every 7 minutes over the last days of March 2008 (Berlin's change to summer time among them).
      for (let ms = Date.parse('2008-03-28T00:00:00Z'); ms < Date.parse('2008-04-03T00:00:00Z'); ms += 7 * 60_000) {
        expect(dayKey(new Date(ms), timeZone), `${timeZone} ${new Date(ms).toISOString()}`).toBe(exact(new Date(ms), timeZone));
      }
    }
  });
});
