// TrackBack at Palaver's entry pages: a ping to /trackback/:entryId read (charsets included),
// checked and queued for verification, and the `?__mode=rss` listing of accepted pings as
// Movable Type writes it. Says what happened as codes; the route answers in TrackBack's XML.
import type { Db } from '../db/open.ts';
import type { EntryWithBlog } from '../domain/models.ts';
import { urlKey } from '../domain/url-key.ts';
import { findEntryById } from '../store/entries.ts';
import { listAcceptedPings } from '../store/pings.ts';
import { admitPing, isBlockedSource, queuePing, type IntakeDeps, type Refusal } from './intake.ts';
import { parseTrackbackPing, renderTrackbackRss } from './trackback.ts';

/** What became of a TrackBack ping. */
export type TrackbackReceipt =
  | { ok: true }
  | { ok: false; code: 'no-target' | 'invalid-ping' | 'self-ping' | 'blocked'; message: string }
  | ({ ok: false } & Refusal);

/** Finds the entry a TrackBack URL names, with the URL a pinging post links to. */
export async function findTrackbackTarget(db: Db, publicUrl: string, entryId: number | null): Promise<{ entry: EntryWithBlog; url: string } | null> {
  const entry = entryId !== null ? await findEntryById(db, entryId) : undefined;
  if (!entry) return null;
  // The entry's own page at its blog is what a pinging post links to; Palaver's page otherwise.
  return { entry, url: entry.url ?? `${publicUrl}/e/${entry.id}` };
}

/** Takes a TrackBack ping (its raw form body) for an entry; it shows once verified. */
export async function receiveTrackback(
  deps: IntakeDeps,
  ping: { entryId: number | null; body: Buffer; contentType: string | undefined; clientAddress: string },
): Promise<TrackbackReceipt> {
  const target = await findTrackbackTarget(deps.db, deps.publicUrl, ping.entryId);
  if (!target) return { ok: false, code: 'no-target', message: 'There is no such entry to ping.' };
  const parsed = parseTrackbackPing(ping.body, ping.contentType);
  if (!parsed.ok) return { ok: false, code: 'invalid-ping', message: parsed.message };
  const refusal = await admitPing(deps, ping.clientAddress, parsed.ping.url);
  if (refusal) return { ok: false, ...refusal };
  if (urlKey(parsed.ping.url) === urlKey(target.url)) return { ok: false, code: 'self-ping', message: 'A post cannot ping itself.' };
  if (await isBlockedSource(deps.db, parsed.ping.url)) return { ok: false, code: 'blocked', message: 'Pings from this site are not accepted.' };
  await queuePing(deps, {
    protocol: 'trackback',
    sourceUrl: parsed.ping.url,
    target: { url: target.url, entryId: target.entry.sameAsId ?? target.entry.id },
    clientAddress: ping.clientAddress,
    title: parsed.ping.title,
    excerpt: parsed.ping.excerpt,
    blogName: parsed.ping.blogName,
  });
  return { ok: true };
}

/** Renders the newest accepted TrackBack pings of an entry (maxListedPings) as Movable Type's RSS 0.91 listing; null when there is no such entry. */
export async function renderTrackbackListing(db: Db, publicUrl: string, entryId: number | null): Promise<string | null> {
  const target = await findTrackbackTarget(db, publicUrl, entryId);
  if (!target) return null;
  const pings = await listAcceptedPings(db, target.url, 'trackback');
  return renderTrackbackRss(
    { title: target.entry.title ?? 'Palaver', link: target.url, description: `TrackBacks for ${target.entry.title ?? target.url}` },
    pings.map((p) => ({ url: p.sourceUrl, title: p.title ?? p.sourceUrl, excerpt: p.excerpt ?? '' })),
  );
}
