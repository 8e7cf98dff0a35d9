// The fields of a new group as the CLI, the form and the API give them: one schema whose
// messages name the field, empty form fields ignored, an event's days in the right zone.
import { describe, expect, it } from 'vitest';
import { eventOf, isCalendarDate } from '../../src/domain/groups.ts';
import { parseGroupFields } from '../../src/registry/group-input.ts';

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
