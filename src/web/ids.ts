// The one reader of ids in paths (/c/:id, /blogs/:id, /e/:id, /webmention/:id, …): a decimal
// number of 1 to 15 digits, above zero; and of group slugs (/g/:slug). Anything else names
// nothing, so the routes answer 404.
import { groupSlugPattern } from '../domain/groups.ts';
import { HttpError } from './errors.ts';

/** Reads an id from a path segment; null when it is not one. */
export function parseId(raw: unknown): number | null {
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) return null;
  const id = Number(raw);
  return id > 0 ? id : null;
}

/** Reads the `:id` of a route's params, or answers 404 "There is no such <what>." */
export function parseIdParam(params: unknown, what: string): number {
  const id = parseId((params as { id?: unknown } | null)?.id);
  if (id === null) throw new HttpError(404, 'not-found', `There is no such ${what}.`);
  return id;
}

/** Reads the `:slug` of a group route, or answers 404 "There is no such group." */
export function parseGroupSlug(params: unknown): string {
  const slug = (params as { slug?: unknown } | null)?.slug;
  if (typeof slug !== 'string' || !groupSlugPattern.test(slug)) throw new HttpError(404, 'not-found', 'There is no such group.');
  return slug;
}
