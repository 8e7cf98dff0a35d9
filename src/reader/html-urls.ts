// reader: the URLs sanitized HTML may keep: absolute, of the schemes a tag allows, resolved
// against the body's base (an image's srcset candidate by candidate); and the rel every kept
// link carries.
import { trimEndOf } from '../domain/trim.ts';

/** The rel of every link in sanitized HTML: foreign links pass no ranking, referrer or opener. */
export const linkRel = 'nofollow ugc noopener';

/** The schemes a link (and a quote's or an edit's cite) may point to. */
export const linkSchemes: readonly string[] = ['http', 'https', 'mailto'];

/** `value` resolved against `baseUrl` as an absolute URL of one of `schemes`, or null. */
export function resolveUrl(value: string, baseUrl: string | null, schemes: readonly string[]): string | null {
  try {
    const url = baseUrl ? new URL(value.trim(), baseUrl) : new URL(value.trim());
    return schemes.includes(url.protocol.slice(0, -1)) ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * Rewrites each srcset candidate URL to absolute http(s), dropping the rest. Candidates are split
 * as the HTML spec does (a URL runs to whitespace), so image-CDN URLs with commas survive.
 */
export function resolveSrcset(srcset: string, baseUrl: string | null): string | null {
  const out: string[] = [];
  let i = 0;
  const n = srcset.length;
  while (i < n) {
    while (i < n && /[\s,]/.test(srcset[i]!)) i++;
    let j = i;
    while (j < n && !/\s/.test(srcset[j]!)) j++;
    let url = srcset.slice(i, j);
    let descriptor = '';
    if (url.endsWith(',')) {
      url = trimEndOf(url, ',');
    } else {
      let k = j;
      while (k < n && srcset[k] !== ',') k++;
      descriptor = srcset.slice(j, k).trim();
      j = k + 1;
    }
    i = j;
    if (!url) continue;
    const absolute = resolveUrl(url, baseUrl, ['http', 'https']);
    if (absolute && /^[\w.\s]*$/.test(descriptor)) out.push(descriptor ? `${absolute} ${descriptor}` : absolute);
  }
  return out.length ? out.join(', ') : null;
}
