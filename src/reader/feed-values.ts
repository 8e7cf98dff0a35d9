// Reading single values out of feeds, shared by the XML and JSON Feed parsers: dates as written
// by real publishers, URLs against a base, plain text. Pure functions; nothing here throws.

const monthNumbers: Record<string, number> = {
  jan: 1, january: 1, januar: 1, jänner: 1, jän: 1,
  feb: 2, february: 2, februar: 2,
  mar: 3, march: 3, mär: 3, märz: 3, mrz: 3, maer: 3, maerz: 3,
  apr: 4, april: 4,
  may: 5, mai: 5,
  jun: 6, june: 6, juni: 6,
  jul: 7, july: 7, juli: 7,
  aug: 8, august: 8,
  sep: 9, sept: 9, september: 9,
  oct: 10, october: 10, okt: 10, oktober: 10,
  nov: 11, november: 11,
  dec: 12, december: 12, dez: 12, dezember: 12,
};

/** RFC 822 §5.1 zones plus the ones German blogs of 2008 wrote (MEZ/MESZ, CET/CEST). */
const zoneOffsetsMinutes: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0,
  edt: -240, est: -300, cdt: -300, cst: -360, mdt: -360, mst: -420, pdt: -420, pst: -480,
  cet: 60, mez: 60, met: 60, cest: 120, mesz: 120, eet: 120, eest: 180, bst: 60,
};

function utcIso(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number, offsetMinutes: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return null;
  const local = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), millis);
  // Date.UTC rolls 31 Feb over into March; a date that does not exist is no date.
  const check = new Date(local);
  if (check.getUTCDate() !== day && hour !== 24) return null;
  const time = local - offsetMinutes * 60_000;
  if (!Number.isFinite(time)) return null;
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function parseOffset(zone: string | undefined): number | null {
  if (!zone) return 0;
  const numeric = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3]);
    return numeric[1] === '-' ? -minutes : minutes;
  }
  const named = zoneOffsetsMinutes[zone.toLowerCase()];
  if (named !== undefined) return named;
  // RFC 822 military single letters are ambiguous in practice (RFC 1123 §5.2.14): treat as UTC.
  if (/^[a-ik-z]$/i.test(zone)) return 0;
  return null;
}

function expandYear(year: string): number {
  const n = Number(year);
  if (year.length === 4) return n;
  // RFC 822 two-digit years (RFC 2822 §4.3): 00–49 are 20xx, 50–99 are 19xx.
  return n < 50 ? 2000 + n : 1900 + n;
}

const iso8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

// Day name (any language, optional), day, month name, year, time with optional seconds, zone.
const rfc822 =
  /^(?:[^\d\s,]{1,12}\.?,?\s*)?(\d{1,2})\.?\s+([^\d\s.,]{3,10})\.?,?\s+(\d{4}|\d{2})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([+-]\d{2}:?\d{2}|[A-Za-z]{1,5}))?)?$/;

/**
 * Parses a feed date (RFC 822 with the usual deviations, ISO 8601 / RFC 3339) into ISO 8601 UTC,
 * or null. Zone-less times are taken as UTC rather than as the server's local time.
 */
export function parseFeedDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // "… +0100 (CET)": the RFC 822 comment after the zone carries nothing the zone does not.
  const text = value.trim().replace(/\s+/g, ' ').replace(/\s*\([^()]{0,20}\)$/, '');
  if (!text || text.length > 80) return null;

  const iso = iso8601.exec(text);
  if (iso) {
    const offset = parseOffset(iso[8]);
    if (offset === null) return null;
    const millis = iso[7] ? Number(iso[7].slice(0, 3).padEnd(3, '0')) : 0;
    return utcIso(Number(iso[1]), Number(iso[2]), Number(iso[3]), Number(iso[4] ?? 0), Number(iso[5] ?? 0), Number(iso[6] ?? 0), millis, offset);
  }

  const rfc = rfc822.exec(text);
  if (rfc) {
    const month = monthNumbers[rfc[2]!.toLowerCase()];
    const offset = parseOffset(rfc[7]);
    if (month === undefined || offset === null) return null;
    return utcIso(expandYear(rfc[3]!), month, Number(rfc[1]), Number(rfc[4] ?? 0), Number(rfc[5] ?? 0), Number(rfc[6] ?? 0), 0, offset);
  }

  // Last resort for other spellings ("Nov 12, 2008 10:00 GMT"); only with an explicit zone,
  // because Date.parse reads zone-less text in the server's local time.
  if (/(?:[+-]\d{2}:?\d{2}|\b(?:gmt|utc|z))$/i.test(text)) {
    const time = Date.parse(text);
    if (Number.isFinite(time)) return new Date(time).toISOString();
  }
  return null;
}

/** Resolves a URL against a base and returns it only when it is absolute http(s). */
export function resolveHttpUrl(value: unknown, base: string | null): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (!trimmed) return null;
  try {
    const url = base ? new URL(trimmed, base) : new URL(trimmed);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Collapses runs of whitespace and trims; null when nothing is left. */
export function collapseText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.replace(/\s+/g, ' ').trim();
  return text || null;
}

/** Escapes text for use as HTML (for plain-text content that travels as contentHtml). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Reads a non-negative integer count ("12", " 3 "), or null. */
export function parseCount(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d{1,9})\s*$/.exec(value);
  return match ? Number(match[1]) : null;
}
