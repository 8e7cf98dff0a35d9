// The time zone a page shows times in: the reader's, once their browser has named it (the `tz`
// cookie /assets/palaver.js sets), else the configured zone, else this machine's.
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { resolveTimeZone, systemTimeZone } from '../views/dates.ts';

/** Returns the zone pages show when the reader's is unknown. */
export function defaultTimeZone(config: Pick<Config, 'timeZone'>): string {
  return (config.timeZone && resolveTimeZone(config.timeZone)) || systemTimeZone();
}

/** Picks the page's time zone for a request: a valid `tz` cookie, else the default. */
export function requestTimeZone(request: FastifyRequest, config: Pick<Config, 'timeZone'>): string {
  const raw = /(?:^|;\s*)tz=([^;]*)/.exec(request.headers.cookie ?? '')?.[1];
  if (raw) {
    let value: string | null = null;
    try {
      value = decodeURIComponent(raw);
    } catch {
      value = null;
    }
    const zone = resolveTimeZone(value);
    if (zone) return zone;
  }
  return defaultTimeZone(config);
}
