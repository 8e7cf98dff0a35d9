// What a person gives to create a group (the CLI's options, the web form, the API's JSON), checked
// by one zod schema: the slug, a title, what it is about, a language, and an event's first and
// last day in a time zone. Messages name the field, so each front end shows them as they are.
import { z } from 'zod';
import { daysBetween, eventOf, groupSlugPattern, isCalendarDate, maxEventDays, type NewGroup } from '../domain/groups.ts';
import { resolveTimeZone } from '../views/dates.ts';

// An empty form field means "not given".
const optionalText = (max: number) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v), z.string().max(max, `at most ${max} characters`).optional());

const dateField = optionalText(10).refine((v) => v === undefined || isCalendarDate(v), 'must be a date written YYYY-MM-DD, e.g. 2008-11-12');

/** The fields of a new group as they come in (strings; empty ones ignored). */
export const groupFieldsSchema = z
  .object({
    slug: z
      .string({ error: 'is required' })
      .trim()
      .regex(groupSlugPattern, 'must be 1 to 64 lower-case letters, digits and hyphens (not at either end), e.g. social-media-camp-2008'),
    title: optionalText(200),
    description: optionalText(2000),
    lang: optionalText(35).refine((v) => v === undefined || /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}$/.test(v), 'must be a language tag such as de or en-GB'),
    from: dateField,
    to: dateField,
    timeZone: optionalText(64).refine((v) => v === undefined || resolveTimeZone(v) !== null, 'must be an IANA time zone such as Europe/Berlin or UTC'),
  })
  .superRefine((v, ctx) => {
    if ((v.from === undefined) !== (v.to === undefined)) {
      ctx.addIssue({ code: 'custom', path: [v.from === undefined ? 'from' : 'to'], message: 'an event needs both its first day (from) and its last day (to)' });
      return;
    }
    if (v.from !== undefined && v.to !== undefined) {
      const days = daysBetween(v.from, v.to);
      if (days < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: `must not be before from (${v.from})` });
      else if (days + 1 > maxEventDays) ctx.addIssue({ code: 'custom', path: ['to'], message: `an event spans at most ${maxEventDays} days` });
    }
  });

export type GroupFieldsInput = z.input<typeof groupFieldsSchema>;

/** A new group whose title may still come from its OPML list (null: not given). */
export type GroupFields = Omit<NewGroup, 'title'> & { title: string | null };

/** Turns zod's issues into one line naming each field: "from: must be a date written YYYY-MM-DD, …". */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ');
}

/**
 * Checks the fields of a new group. An event's days are counted in `timeZone`, else in
 * `defaultTimeZone` (the operator's `timeZone`, else the machine's).
 */
export function parseGroupFields(raw: unknown, defaultTimeZone: string): { ok: true; fields: GroupFields } | { ok: false; message: string } {
  const parsed = groupFieldsSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, message: describeIssues(parsed.error) };
  const v = parsed.data;
  const zone = resolveTimeZone(v.timeZone ?? defaultTimeZone) ?? 'UTC';
  return {
    ok: true,
    fields: {
      slug: v.slug,
      title: v.title ?? null,
      description: v.description ?? null,
      lang: v.lang ?? null,
      event: v.from !== undefined && v.to !== undefined ? eventOf(v.from, v.to, zone) : null,
    },
  };
}
