// Webmention (W3C) at Palaver's endpoint: a request's source and target checked (§3.2.1),
// queued for asynchronous verification, and its status for the status URL. Says what happened
// as codes; the route answers with HTTP statuses.
import type { Db } from '../db/open.ts';
import type { PingStatus } from '../domain/vocabulary.ts';
import { urlKey } from '../domain/url-key.ts';
import { findPing } from '../store/pings.ts';
import { admitPing, isBlockedSource, queuePing, type IntakeDeps, type Refusal } from './intake.ts';
import { resolvePingTarget } from './ping-target.ts';
import { checkWebmentionRequest, type WebmentionErrorCode } from './webmention.ts';

/** What became of a webmention request. */
export type WebmentionReceipt =
  | { ok: true; pingId: number }
  | { ok: false; code: WebmentionErrorCode | 'source-blocked'; message: string }
  | ({ ok: false } & Refusal);

/** Takes a webmention: source and target as the form sent them (a repeated field as a list). */
export async function receiveWebmention(deps: IntakeDeps, form: { source: unknown; target: unknown }, clientAddress: string): Promise<WebmentionReceipt> {
  const targetRaw = form.target;
  const resolved = typeof targetRaw === 'string' && urlKey(targetRaw) ? await resolvePingTarget(deps.db, deps.publicUrl, targetRaw.trim()) : null;
  const check = checkWebmentionRequest({ source: form.source, target: targetRaw }, () => resolved !== null);
  if (!check.ok) return check;
  if (await isBlockedSource(deps.db, check.source)) return { ok: false, code: 'source-blocked', message: 'Webmentions from this site are not accepted.' };
  const refusal = await admitPing(deps, clientAddress, check.source);
  if (refusal) return { ok: false, ...refusal };
  const ping = await queuePing(deps, { protocol: 'webmention', sourceUrl: check.source, target: resolved!, clientAddress });
  return { ok: true, pingId: ping.id };
}

const statusWords: Record<PingStatus, string> = {
  queued: 'waiting to be checked',
  accepted: 'verified and shown',
  rejected: 'refused',
  held: 'verified; waiting for a moderator',
  gone: 'removed: the source is gone',
};

/** Describes a webmention for its status URL; null when there is no such webmention. */
export async function describeWebmention(db: Db, id: number | null) {
  const ping = id !== null ? await findPing(db, id) : undefined;
  if (!ping || ping.protocol !== 'webmention') return null;
  return {
    id: ping.id,
    source: ping.sourceUrl,
    target: ping.targetUrl,
    status: ping.status,
    summary: statusWords[ping.status],
    reason: ping.statusReason,
    updatedAt: ping.updatedAt,
  };
}
