// Decides whether a ping's target is ours (DESIGN.md, "Interfaces"): a Palaver page (/c/:id,
// /e/:id under PUBLIC_URL) or the original URL of an entry of a registered blog.
import type { Db } from '../db/open.ts';
import { findConversation } from '../store/conversations.ts';
import { findBlogEntryByUrl, findEntryById } from '../store/entries.ts';
import { urlKey } from '../domain/url-key.ts';

export interface PingTarget {
  /** The URL as the pinger named it (what the source must link to). */
  url: string;
  /** The entry that the ping answers: the entry itself, or a conversation's root. */
  entryId: number;
}

/** Resolves a ping's target URL to the entry it answers, or null when the target is not ours. */
export async function resolvePingTarget(db: Db, publicUrl: string, target: string): Promise<PingTarget | null> {
  const key = urlKey(target);
  const base = urlKey(publicUrl);
  if (!key || !base) return null;
  if (key.startsWith(`${base}/`)) {
    const path = key.slice(base.length).replace(/[?#].*$/, '');
    const conversation = /^\/c\/(\d{1,15})$/.exec(path);
    if (conversation) {
      const found = await findConversation(db, Number(conversation[1]));
      if (!found) return null;
      const id = 'mergedInto' in found ? found.mergedInto : found.conversation.id;
      const c = await findConversation(db, id);
      const root = c && 'conversation' in c ? c.conversation.rootEntryId : null;
      return root === null ? null : { url: target, entryId: root };
    }
    const entry = /^\/e\/(\d{1,15})$/.exec(path);
    if (entry) {
      const found = await findEntryById(db, Number(entry[1]));
      return found && found.conversationId !== null ? { url: target, entryId: found.sameAsId ?? found.id } : null;
    }
    return null;
  }
  const found = await findBlogEntryByUrl(db, key);
  return found ? { url: target, entryId: found.id } : null;
}
