// Webmention request checks (W3C Webmention §3.2.1): what must be refused with 400 before
// anything is queued. Pure: whether a target is ours is the caller's predicate.
import { urlKey } from '../domain/url-key.ts';

export type WebmentionErrorCode =
  | 'missing-source'
  | 'missing-target'
  | 'invalid-source'
  | 'invalid-target'
  | 'source-is-target'
  | 'target-not-ours';

export type WebmentionCheck =
  | { ok: true; source: string; target: string }
  | { ok: false; code: WebmentionErrorCode; message: string };

const maxUrlLength = 2048;

type UrlCheck = { ok: true; url: string } | { ok: false; code: WebmentionErrorCode; message: string };

function checkUrl(name: 'source' | 'target', value: unknown): UrlCheck {
  const missing = name === 'source' ? 'missing-source' : 'missing-target';
  const invalid = name === 'source' ? 'invalid-source' : 'invalid-target';
  // A repeated form field arrives as an array: which one was meant cannot be told.
  if (Array.isArray(value)) return { ok: false, code: invalid, message: `${name} was sent more than once` };
  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
    return { ok: false, code: missing, message: `${name} is missing` };
  }
  if (typeof value !== 'string') return { ok: false, code: invalid, message: `${name} must be a URL` };
  const text = value.trim();
  if (text.length > maxUrlLength) return { ok: false, code: invalid, message: `${name} is longer than ${maxUrlLength} characters` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, code: invalid, message: `${name} "${text.slice(0, 200)}" is not an absolute URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, code: invalid, message: `${name} must be an http or https URL, not ${url.protocol}` };
  }
  if (url.username || url.password) {
    return { ok: false, code: invalid, message: `${name} must not contain a user name or password` };
  }
  return { ok: true, url: url.href };
}

/**
 * Checks a Webmention request's source and target: both present, absolute http(s) URLs without
 * credentials, not the same page, and the target one of ours (`isOurTarget` gets the parsed href).
 */
export function checkWebmentionRequest(
  body: { source?: unknown; target?: unknown },
  isOurTarget: (url: string) => boolean,
): WebmentionCheck {
  const source = checkUrl('source', body.source);
  const target = checkUrl('target', body.target);
  if (!source.ok && !target.ok) {
    // Both are reported, so a sender fixes its request in one go; the code names the first.
    return { ok: false, code: source.code, message: `${source.message}; ${target.message}` };
  }
  if (!source.ok) return source;
  if (!target.ok) return target;
  // §3.2.1: the receiver must reject a source equal to the target; "equal" after normalisation,
  // so http://x/p and https://www.x/p/ cannot ping each other either.
  if (urlKey(source.url) === urlKey(target.url)) {
    return { ok: false, code: 'source-is-target', message: 'source and target are the same page' };
  }
  if (!isOurTarget(target.url)) {
    return { ok: false, code: 'target-not-ours', message: `target ${target.url} is not a page that accepts webmentions here` };
  }
  return { ok: true, source: source.url, target: target.url };
}
