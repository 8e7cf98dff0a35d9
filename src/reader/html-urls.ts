// reader: the URLs sanitized HTML may keep: absolute, of the schemes a tag allows, resolved
// against the body's base; and the rel every kept link carries.

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
