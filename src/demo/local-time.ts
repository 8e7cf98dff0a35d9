// The fixture blogs' clock: they all stand in Germany, so their feeds and pages write times in
// Europe/Berlin with that offset, as the real blogs of the debate did.

const localFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Berlin',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

export type LocalParts = Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string>;

/** Splits an instant into the blog's local date and time fields (two digits each, four for the year). */
export function localParts(iso: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of localFormat.formatToParts(new Date(iso))) parts[p.type] = p.value;
  return {
    year: parts.year ?? '',
    month: parts.month ?? '',
    day: parts.day ?? '',
    hour: parts.hour ?? '',
    minute: parts.minute ?? '',
    second: parts.second ?? '',
  };
}

/** Returns the blog's UTC offset at an instant, in minutes (60 in winter, 120 in summer). */
export function offsetMinutes(iso: string): number {
  const p = localParts(iso);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((asUtc - Math.floor(Date.parse(iso) / 1000) * 1000) / 60000);
}
